"""British National Grid (OSGB36) eastings and northings to WGS84 latitude and longitude.

Pure Python, no PROJ: the inverse transverse Mercator projection on the Airy 1830 ellipsoid,
then a seven-parameter Helmert transformation from OSGB36 to WGS84, as given in Ordnance
Survey's "A guide to coordinate systems in Great Britain" (sections 6 and annex C). Good to
about 5 metres anywhere in Great Britain, which is plenty for placing an address in a ward or
putting a pin on a map; it is not survey grade (that needs the OSTN15 grid). The tests check
it against PROJ.
"""

from __future__ import annotations

import math

# Airy 1830 (OSGB36) and GRS80/WGS84 ellipsoids: semi-major and semi-minor axes in metres.
_AIRY = (6_377_563.396, 6_356_256.909)
_WGS84 = (6_378_137.000, 6_356_752.3141)

# National Grid projection: scale on the central meridian, true origin, false origin.
_F0 = 0.9996012717
_LAT0 = math.radians(49)
_LON0 = math.radians(-2)
_E0, _N0 = 400_000.0, -100_000.0

# OSGB36 -> WGS84 Helmert: translations (m), rotations (arc seconds), scale (ppm).
_TX, _TY, _TZ = 446.448, -125.157, 542.060
_RX, _RY, _RZ = 0.1502, 0.2470, 0.8421
_S = -20.4894

# The grid's extent, for validating input.
MAX_EASTING = 700_000
MAX_NORTHING = 1_300_000


def _meridional_arc(phi: float, b: float, n: float) -> float:
    d = phi - _LAT0
    s = phi + _LAT0
    return (
        b
        * _F0
        * (
            (1 + n + 5 / 4 * n**2 + 5 / 4 * n**3) * d
            - (3 * n + 3 * n**2 + 21 / 8 * n**3) * math.sin(d) * math.cos(s)
            + (15 / 8 * n**2 + 15 / 8 * n**3) * math.sin(2 * d) * math.cos(2 * s)
            - 35 / 24 * n**3 * math.sin(3 * d) * math.cos(3 * s)
        )
    )


def _grid_to_osgb36(easting: float, northing: float) -> tuple[float, float]:
    a, b = _AIRY
    e2 = 1 - (b * b) / (a * a)
    n = (a - b) / (a + b)
    phi = _LAT0
    m = 0.0
    while True:
        phi = (northing - _N0 - m) / (a * _F0) + phi
        m = _meridional_arc(phi, b, n)
        if abs(northing - _N0 - m) < 0.00001:
            break
    sin_phi, cos_phi, tan_phi = math.sin(phi), math.cos(phi), math.tan(phi)
    nu = a * _F0 / math.sqrt(1 - e2 * sin_phi**2)
    rho = a * _F0 * (1 - e2) / (1 - e2 * sin_phi**2) ** 1.5
    eta2 = nu / rho - 1
    sec = 1 / cos_phi
    vii = tan_phi / (2 * rho * nu)
    viii = tan_phi / (24 * rho * nu**3) * (5 + 3 * tan_phi**2 + eta2 - 9 * tan_phi**2 * eta2)
    ix = tan_phi / (720 * rho * nu**5) * (61 + 90 * tan_phi**2 + 45 * tan_phi**4)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * tan_phi**2)
    xii = sec / (120 * nu**5) * (5 + 28 * tan_phi**2 + 24 * tan_phi**4)
    xiia = sec / (5040 * nu**7) * (61 + 662 * tan_phi**2 + 1320 * tan_phi**4 + 720 * tan_phi**6)
    de = easting - _E0
    lat = phi - vii * de**2 + viii * de**4 - ix * de**6
    lon = _LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return lat, lon


def _to_cartesian(lat: float, lon: float, axes: tuple[float, float]) -> tuple[float, ...]:
    a, b = axes
    e2 = 1 - (b * b) / (a * a)
    nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    return (
        nu * math.cos(lat) * math.cos(lon),
        nu * math.cos(lat) * math.sin(lon),
        (1 - e2) * nu * math.sin(lat),
    )


def _from_cartesian(x: float, y: float, z: float, axes: tuple[float, float]) -> tuple[float, float]:
    a, b = axes
    e2 = 1 - (b * b) / (a * a)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - e2))
    for _ in range(10):
        nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
        previous, lat = lat, math.atan2(z + e2 * nu * math.sin(lat), p)
        if abs(lat - previous) < 1e-12:
            break
    return lat, math.atan2(y, x)


def _helmert(x: float, y: float, z: float) -> tuple[float, float, float]:
    s = _S * 1e-6
    rx, ry, rz = (math.radians(r / 3600) for r in (_RX, _RY, _RZ))
    return (
        _TX + (1 + s) * x - rz * y + ry * z,
        _TY + rz * x + (1 + s) * y - rx * z,
        _TZ - ry * x + rx * y + (1 + s) * z,
    )


def grid_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """(latitude, longitude) in WGS84 degrees, rounded to 6 places (about 0.1 metre)."""
    lat, lon = _grid_to_osgb36(easting, northing)
    x, y, z = _helmert(*_to_cartesian(lat, lon, _AIRY))
    lat, lon = _from_cartesian(x, y, z, _WGS84)
    return round(math.degrees(lat), 6), round(math.degrees(lon), 6)
