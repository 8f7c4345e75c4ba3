#include "common/geohash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>

#include "common/numbers.h"

namespace ember::geo {
namespace {

// Expected values are redis-server 7.0.15's answers (ZSCORE, GEOPOS, GEOHASH, GEODIST).
TEST(GeohashTest, EncodeScoreMatchesRedis) {
  EXPECT_EQ(EncodeScore(13.361389, 38.115556), 3479099956230698ULL);  // Palermo
  EXPECT_EQ(EncodeScore(15.087269, 37.502669), 3479447370796909ULL);  // Catania
  EXPECT_EQ(EncodeScore(0, 0), 3377699720527872ULL);
  EXPECT_EQ(EncodeScore(-180, -85.05112878), 0ULL);
  // The top corner is one cell past the grid in both coordinates (bits 52 and 53), as in Redis.
  EXPECT_EQ(EncodeScore(180, 85.05112878), 13510798882111488ULL);
}

TEST(GeohashTest, DecodeScoreMatchesRedis) {
  double lon, lat;
  DecodeScore(3479099956230698.0, &lon, &lat);
  EXPECT_EQ(FormatLongDouble(lon), "13.36138933897018433");
  EXPECT_EQ(FormatLongDouble(lat), "38.11555639549629859");
  DecodeScore(static_cast<double>(EncodeScore(1, 2)), &lon, &lat);
  EXPECT_EQ(FormatLongDouble(lon), "0.99999994039535522");
  EXPECT_EQ(FormatLongDouble(lat), "2.0000001856465488");
  // Past the grid: clamped to the ranges.
  DecodeScore(13510798882111488.0, &lon, &lat);
  EXPECT_EQ(lon, kLonMax);
  EXPECT_EQ(lat, kLatMax);
  // Scores no GEOADD writes still decode to something inside the ranges.
  DecodeScore(-5, &lon, &lat);
  EXPECT_TRUE(ValidLonLat(lon, lat));
  DecodeScore(1e300, &lon, &lat);
  EXPECT_TRUE(ValidLonLat(lon, lat));
}

TEST(GeohashTest, RoundTripStaysInsideTheCell) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> lon_d(kLonMin, kLonMax), lat_d(kLatMin, kLatMax);
  for (int i = 0; i < 10000; ++i) {
    double lon = lon_d(rng), lat = lat_d(rng);
    double score = static_cast<double>(EncodeScore(lon, lat));
    double dlon, dlat;
    DecodeScore(score, &dlon, &dlat);
    // A 26-bit cell is 360/2^26 degrees wide and 170.1/2^26 high.
    EXPECT_NEAR(dlon, lon, 360.0 / (1 << 26));
    EXPECT_NEAR(dlat, lat, 171.0 / (1 << 26));
    EXPECT_EQ(EncodeScore(dlon, dlat), static_cast<uint64_t>(score)) << lon << "," << lat;
  }
}

TEST(GeohashTest, InterleaveRoundTrips) {
  std::mt19937 rng(3);
  for (int i = 0; i < 1000; ++i) {
    uint32_t lat = rng(), lon = rng(), back_lat, back_lon;
    Deinterleave(Interleave(lat, lon), &back_lat, &back_lon);
    EXPECT_EQ(back_lat, lat);
    EXPECT_EQ(back_lon, lon);
  }
  EXPECT_EQ(Interleave(1, 0), 1ULL);
  EXPECT_EQ(Interleave(0, 1), 2ULL);
  EXPECT_EQ(Interleave(0xFFFFFFFF, 0), 0x5555555555555555ULL);
}

TEST(GeohashTest, StandardGeohashMatchesRedis) {
  EXPECT_EQ(StandardGeohash(3479099956230698.0), "sqc8b49rny0");
  EXPECT_EQ(StandardGeohash(3479447370796909.0), "sqdtr74hyu0");
  EXPECT_EQ(StandardGeohash(3377699720527872.0), "s0000000000");
  EXPECT_EQ(StandardGeohash(static_cast<double>(EncodeScore(-180, -85.05112878))), "00bh0hbj200");
  EXPECT_EQ(StandardGeohash(13510798882111488.0), "bp05b5048p0");
}

TEST(GeohashTest, DistanceMatchesRedis) {
  double lon1, lat1, lon2, lat2;
  DecodeScore(3479099956230698.0, &lon1, &lat1);
  DecodeScore(3479447370796909.0, &lon2, &lat2);
  char buf[64];
  snprintf(buf, sizeof(buf), "%.4f", Distance(lon1, lat1, lon2, lat2));
  EXPECT_STREQ(buf, "166274.1516");
  EXPECT_EQ(Distance(lon1, lat1, lon1, lat1), 0.0);
  // Half the circumference between antipodes on the equator.
  EXPECT_NEAR(Distance(0, 0, 180, 0), M_PI * kEarthRadiusMeters, 1e-6);
}

TEST(GeohashTest, EstimateStep) {
  EXPECT_EQ(EstimateStep(0, 0), kMaxStep);
  EXPECT_EQ(EstimateStep(1e9, 0), 1);
  // 20037726.37 / 2^k: a radius of ~100 km gives cells ~2^7 times smaller than the world.
  EXPECT_EQ(EstimateStep(100000, 0), 7);
  EXPECT_EQ(EstimateStep(100000, 70), 6);
  EXPECT_EQ(EstimateStep(100000, -85), 5);
  EXPECT_EQ(EstimateStep(0.001, 0), kMaxStep);
}

TEST(GeohashTest, InShapeRadiusAndBox) {
  Shape circle;
  circle.lon = 13.361389;
  circle.lat = 38.115556;
  circle.radius = 200;
  circle.to_meters = 1000;
  double meters;
  EXPECT_TRUE(InShape(circle, 15.087269, 37.502669, &meters));
  EXPECT_NEAR(meters, 166274.26, 0.01);  // the undecoded points
  circle.radius = 100;
  EXPECT_FALSE(InShape(circle, 15.087269, 37.502669, &meters));

  Shape box;
  box.kind = Shape::kBox;
  box.lon = 0;
  box.lat = 0;
  box.width = 200;   // 100 km either side
  box.height = 100;  // 50 km either side
  box.to_meters = 1000;
  EXPECT_TRUE(InShape(box, 0.8, 0.4, &meters));
  EXPECT_FALSE(InShape(box, 0.8, 0.5, &meters));   // ~55 km north
  EXPECT_FALSE(InShape(box, 0.95, 0.0, &meters));  // ~105 km east
}

// Every point inside a shape lies in one of the cells the search scans.
TEST(GeohashTest, SearchCellsCoverTheShape) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> lon_d(kLonMin, kLonMax), lat_d(-80, 80), unit(0, 1);
  for (int round = 0; round < 300; ++round) {
    Shape s;
    s.kind = round % 2 ? Shape::kBox : Shape::kRadius;
    s.lon = lon_d(rng);
    s.lat = lat_d(rng);
    s.radius = 1 + unit(rng) * 500;
    s.width = 1 + unit(rng) * 1000;
    s.height = 1 + unit(rng) * 1000;
    s.to_meters = 1000;
    SearchCells plan = CellsToSearch(s);
    for (int i = 0; i < 400; ++i) {
      // Points on the grid's top edges (lon 180, lat 85.05112878) score one cell past the grid
      // and no search finds them, in Redis too: keep inside.
      double lon = std::clamp(s.lon + (unit(rng) - 0.5) * 20, kLonMin, 179.999999);
      double lat = std::clamp(s.lat + (unit(rng) - 0.5) * 10, kLatMin, 85.05);
      double meters;
      if (!InShape(s, lon, lat, &meters)) continue;
      double score = static_cast<double>(EncodeScore(lon, lat));
      bool covered = false;
      for (const Cell& c : plan.cells) {
        if (c.none()) continue;
        uint64_t min, max;
        CellScores(c, &min, &max);
        covered |= score >= static_cast<double>(min) && score < static_cast<double>(max);
      }
      EXPECT_TRUE(covered) << "round " << round << " point " << lon << "," << lat;
    }
  }
}

TEST(GeohashTest, CoarseGridSkipsRepeatedCells) {
  Shape s;
  s.radius = 20000;  // km: the whole world, step 1 (a 2x2 grid)
  s.to_meters = 1000;
  SearchCells plan = CellsToSearch(s);
  int scanned = 0;
  for (const Cell& c : plan.cells) scanned += !c.none();
  EXPECT_EQ(scanned, 4);  // each of the four cells once
  EXPECT_EQ(plan.cells[0].step, 1);
}

TEST(GeohashTest, CellScoresSpanTheCell) {
  Cell c = Encode(13.361389, 38.115556, 10);
  uint64_t min, max;
  CellScores(c, &min, &max);
  uint64_t score = EncodeScore(13.361389, 38.115556);
  EXPECT_LE(min, score);
  EXPECT_LT(score, max);
  EXPECT_EQ(max - min, 1ULL << 32);
}

}  // namespace
}  // namespace ember::geo
