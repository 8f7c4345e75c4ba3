#pragma once
// Redis's geo index arithmetic: a point is a 52-bit interleaved geohash (26 bits of latitude in
// the even bit positions, 26 of longitude in the odd ones) stored as a sorted-set score. The
// latitude range is Web Mercator's +-85.05112878, not +-90, as in Redis, so scores, decoded
// coordinates, distances and search areas all come out bit for bit as Redis's do.
#include <cstdint>
#include <string>

namespace ember::geo {

inline constexpr double kLonMin = -180.0;
inline constexpr double kLonMax = 180.0;
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
inline constexpr int kMaxStep = 26;  // 26 bits per coordinate: 52 in all
inline constexpr double kEarthRadiusMeters = 6372797.560856;
inline constexpr double kMercatorMax = 20037726.37;  // half the Mercator world width, meters

struct Range {
  double min;
  double max;
};
inline constexpr Range kLonRange{kLonMin, kLonMax};
inline constexpr Range kLatRange{kLatMin, kLatMax};
// The standard geohash ranges (GEOHASH's strings use these).
inline constexpr Range kStandardLatRange{-90.0, 90.0};

// A cell of the grid at `step` bits per coordinate. {0, 0} marks "no cell" (an area a search
// leaves out).
struct Cell {
  uint64_t bits = 0;
  uint8_t step = 0;
  bool none() const { return bits == 0 && step == 0; }
};

struct Area {
  Range lon;
  Range lat;
};

// Spreads the low 32 bits of lat into the even and of lon into the odd bit positions.
uint64_t Interleave(uint32_t lat, uint32_t lon);
// The inverse: even bits -> *lat, odd bits -> *lon.
void Deinterleave(uint64_t bits, uint32_t* lat, uint32_t* lon);

// True when (lon, lat) is inside the indexable range (GEOADD, FROMLONLAT).
bool ValidLonLat(double lon, double lat);
// The cell of `step` bits holding the point (which must be inside the ranges).
Cell Encode(double lon, double lat, int step, Range lon_range = kLonRange,
            Range lat_range = kLatRange);
// The bounds of a cell.
Area Decode(Cell cell, Range lon_range = kLonRange, Range lat_range = kLatRange);

// GEOADD's score for a point.
uint64_t EncodeScore(double lon, double lat);
// The point a score stands for: the centre of its cell, clamped to the ranges.
void DecodeScore(double score, double* lon, double* lat);
// GEOHASH's 11-character standard geohash of a score.
std::string StandardGeohash(double score);

// Great-circle (haversine) distance in meters on Redis's earth sphere.
double Distance(double lon1, double lat1, double lon2, double lat2);

// What GEOSEARCH / GEORADIUS look inside. Sizes are in `to_meters` units.
struct Shape {
  enum Kind : uint8_t { kRadius, kBox } kind = kRadius;
  double lon = 0, lat = 0;  // the centre
  double radius = 0;
  double width = 0, height = 0;
  double to_meters = 1;
};
// True when (lon, lat) lies in the shape; *meters is then its distance to the centre.
bool InShape(const Shape& shape, double lon, double lat, double* meters);

// The cell size (in bits per coordinate) whose cells are about as large as `meters` at `lat`.
int EstimateStep(double meters, double lat);

// The cells a search scans, in the order it scans them: the centre's cell, then north, south,
// east, west, north-east, north-west, south-east, south-west. Cells that cannot hold a match
// are none(). Neighbours wrap around at the grid's edges, as Redis's do.
struct SearchCells {
  Cell cells[9];
};
SearchCells CellsToSearch(const Shape& shape);

// The scores [*min, *max) of the points inside `cell`.
void CellScores(Cell cell, uint64_t* min, uint64_t* max);

}  // namespace ember::geo
