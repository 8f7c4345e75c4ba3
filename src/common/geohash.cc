#include "common/geohash.h"

#include <algorithm>
#include <cmath>

namespace ember::geo {
namespace {

constexpr double kDegToRad = M_PI / 180.0;

double ToRadians(double degrees) {
  return degrees * kDegToRad;
}
double ToDegrees(double radians) {
  return radians / kDegToRad;
}

// Spreads the 32 bits of v over the even positions of a 64-bit word (binary magic numbers).
uint64_t SpreadBits(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x << 2)) & 0x3333333333333333ULL;
  x = (x | (x << 1)) & 0x5555555555555555ULL;
  return x;
}

// Gathers the even bits of x into a 32-bit value.
uint32_t GatherBits(uint64_t x) {
  x &= 0x5555555555555555ULL;
  x = (x | (x >> 1)) & 0x3333333333333333ULL;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
  return static_cast<uint32_t>(x);
}

// The cell `dlon` columns east and `dlat` rows north of `cell`, wrapping around the grid. Only
// a coordinate that moves is wrapped: a centre on the top edge (one cell past the grid, see
// Encode) keeps its other coordinate as is, as Redis's does.
Cell Neighbour(Cell cell, int dlon, int dlat) {
  uint32_t lat, lon;
  Deinterleave(cell.bits, &lat, &lon);
  uint32_t mask = static_cast<uint32_t>((1ULL << cell.step) - 1);
  if (dlon != 0) lon = (lon + static_cast<uint32_t>(dlon)) & mask;
  if (dlat != 0) lat = (lat + static_cast<uint32_t>(dlat)) & mask;
  return Cell{Interleave(lat, lon), cell.step};
}

struct Bounds {
  double min_lon, min_lat, max_lon, max_lat;
};

// The lon/lat box around the shape. Meridians converge towards the pole, so the box is widest
// on the edge nearer to it.
Bounds BoundingBox(const Shape& s) {
  double half_height = s.to_meters * (s.kind == Shape::kRadius ? s.radius : s.height / 2);
  double half_width = s.to_meters * (s.kind == Shape::kRadius ? s.radius : s.width / 2);
  double lat_delta = ToDegrees(half_height / kEarthRadiusMeters);
  double lon_delta_top =
      ToDegrees(half_width / kEarthRadiusMeters / std::cos(ToRadians(s.lat + lat_delta)));
  double lon_delta_bottom =
      ToDegrees(half_width / kEarthRadiusMeters / std::cos(ToRadians(s.lat - lat_delta)));
  double lon_delta = s.lat < 0 ? lon_delta_bottom : lon_delta_top;
  return Bounds{s.lon - lon_delta, s.lat - lat_delta, s.lon + lon_delta, s.lat + lat_delta};
}

bool SameCell(const Cell& a, const Cell& b) {
  return a.bits == b.bits && a.step == b.step;
}

}  // namespace

uint64_t Interleave(uint32_t lat, uint32_t lon) {
  return SpreadBits(lat) | (SpreadBits(lon) << 1);
}

void Deinterleave(uint64_t bits, uint32_t* lat, uint32_t* lon) {
  *lat = GatherBits(bits);
  *lon = GatherBits(bits >> 1);
}

bool ValidLonLat(double lon, double lat) {
  return lon >= kLonMin && lon <= kLonMax && lat >= kLatMin && lat <= kLatMax;
}

Cell Encode(double lon, double lat, int step, Range lon_range, Range lat_range) {
  double lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min);
  double lon_offset = (lon - lon_range.min) / (lon_range.max - lon_range.min);
  // Fixed point at `step` bits; the top edge of a range gives 2^step (one bit past the cell
  // grid), which Redis stores as is.
  lat_offset *= static_cast<double>(1ULL << step);
  lon_offset *= static_cast<double>(1ULL << step);
  return Cell{Interleave(static_cast<uint32_t>(lat_offset), static_cast<uint32_t>(lon_offset)),
              static_cast<uint8_t>(step)};
}

Area Decode(Cell cell, Range lon_range, Range lat_range) {
  uint32_t lat, lon;
  Deinterleave(cell.bits, &lat, &lon);
  double cells = static_cast<double>(1ULL << cell.step);
  double lat_scale = lat_range.max - lat_range.min;
  double lon_scale = lon_range.max - lon_range.min;
  // The +1 wraps in 32 bits, as the unsigned arithmetic it mirrors does.
  uint32_t lat_next = lat + 1, lon_next = lon + 1;
  Area a;
  a.lat.min = lat_range.min + (lat * 1.0 / cells) * lat_scale;
  a.lat.max = lat_range.min + (lat_next * 1.0 / cells) * lat_scale;
  a.lon.min = lon_range.min + (lon * 1.0 / cells) * lon_scale;
  a.lon.max = lon_range.min + (lon_next * 1.0 / cells) * lon_scale;
  return a;
}

uint64_t EncodeScore(double lon, double lat) {
  return Encode(lon, lat, kMaxStep).bits;
}

void DecodeScore(double score, double* lon, double* lat) {
  uint64_t bits = 0;
  if (score >= 18446744073709549568.0) {
    bits = ~0ULL;  // no geo score is this large; keep the conversion defined
  } else if (score > 0) {
    bits = static_cast<uint64_t>(score);
  }
  Area a = Decode(Cell{bits, kMaxStep});
  *lon = std::clamp((a.lon.min + a.lon.max) / 2, kLonMin, kLonMax);
  *lat = std::clamp((a.lat.min + a.lat.max) / 2, kLatMin, kLatMax);
}

std::string StandardGeohash(double score) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  double lon, lat;
  DecodeScore(score, &lon, &lat);
  uint64_t bits = Encode(lon, lat, kMaxStep, kLonRange, kStandardLatRange).bits;
  std::string out(11, '0');
  // 52 bits make ten 5-bit characters; the eleventh has no bits left and stays '0'.
  for (int i = 0; i < 10; ++i) out[i] = kAlphabet[(bits >> (52 - (i + 1) * 5)) & 0x1f];
  return out;
}

double Distance(double lon1, double lat1, double lon2, double lat2) {
  double lat1r = ToRadians(lat1), lon1r = ToRadians(lon1);
  double lat2r = ToRadians(lat2), lon2r = ToRadians(lon2);
  double u = std::sin((lat2r - lat1r) / 2);
  double v = std::sin((lon2r - lon1r) / 2);
  return 2.0 * kEarthRadiusMeters *
         std::asin(std::sqrt(u * u + std::cos(lat1r) * std::cos(lat2r) * v * v));
}

bool InShape(const Shape& s, double lon, double lat, double* meters) {
  if (s.kind == Shape::kRadius) {
    *meters = Distance(s.lon, s.lat, lon, lat);
    return *meters <= s.radius * s.to_meters;
  }
  // The box is measured along the point's parallel and meridian.
  double lon_distance = Distance(lon, lat, s.lon, lat);
  double lat_distance = Distance(lon, lat, lon, s.lat);
  if (lon_distance > s.width * s.to_meters / 2 || lat_distance > s.height * s.to_meters / 2) {
    return false;
  }
  *meters = Distance(s.lon, s.lat, lon, lat);
  return true;
}

int EstimateStep(double meters, double lat) {
  if (meters == 0) return kMaxStep;
  int step = 1;
  while (meters < kMercatorMax) {
    meters *= 2;
    ++step;
  }
  step -= 2;  // one size up, so the range falls inside the 3x3 cells in most cases
  // Cells narrow towards the poles.
  if (lat > 66 || lat < -66) {
    --step;
    if (lat > 80 || lat < -80) --step;
  }
  return std::clamp(step, 1, kMaxStep);
}

SearchCells CellsToSearch(const Shape& shape) {
  Bounds box = BoundingBox(shape);
  double meters = shape.kind == Shape::kRadius ? shape.radius
                                               : std::sqrt((shape.width / 2) * (shape.width / 2) +
                                                           (shape.height / 2) * (shape.height / 2));
  meters *= shape.to_meters;
  int step = EstimateStep(meters, shape.lat);

  Cell centre = Encode(shape.lon, shape.lat, step);
  // When the box reaches past a direct neighbour the cells are too small: one size up.
  if (step > 1) {
    Area north = Decode(Neighbour(centre, 0, 1));
    Area south = Decode(Neighbour(centre, 0, -1));
    Area east = Decode(Neighbour(centre, 1, 0));
    Area west = Decode(Neighbour(centre, -1, 0));
    if (north.lat.max < box.max_lat || south.lat.min > box.min_lat || east.lon.max < box.max_lon ||
        west.lon.min > box.min_lon) {
      --step;
      centre = Encode(shape.lon, shape.lat, step);
    }
  }
  static constexpr int kMoves[9][2] = {{0, 0}, {0, 1},  {0, -1}, {1, 0},  {-1, 0},
                                       {1, 1}, {-1, 1}, {1, -1}, {-1, -1}};
  SearchCells out;
  for (int i = 0; i < 9; ++i) out.cells[i] = Neighbour(centre, kMoves[i][0], kMoves[i][1]);

  // Leave out the rows and columns of cells the box does not reach.
  if (step >= 2) {
    Area area = Decode(centre);
    enum { kC, kN, kS, kE, kW, kNE, kNW, kSE, kSW };
    auto drop = [&](int a, int b, int c) { out.cells[a] = out.cells[b] = out.cells[c] = Cell{}; };
    if (area.lat.min < box.min_lat) drop(kS, kSW, kSE);
    if (area.lat.max > box.max_lat) drop(kN, kNE, kNW);
    if (area.lon.min < box.min_lon) drop(kW, kSW, kNW);
    if (area.lon.max > box.max_lon) drop(kE, kSE, kNE);
  }
  // On a coarse grid neighbours can wrap onto the same cell: skip a cell equal to the last
  // one scanned (the centre is never compared, as in Redis).
  int last = 0;
  for (int i = 1; i < 9; ++i) {
    if (out.cells[i].none()) continue;
    if (last != 0 && SameCell(out.cells[i], out.cells[last])) {
      out.cells[i] = Cell{};
      continue;
    }
    last = i;
  }
  return out;
}

void CellScores(Cell cell, uint64_t* min, uint64_t* max) {
  int shift = 2 * (kMaxStep - cell.step);
  *min = cell.bits << shift;
  *max = (cell.bits + 1) << shift;
}

}  // namespace ember::geo
