"""Writes the small .npy fixtures NpyNumpyFixturesTest reads, with NumPy itself.

Run from this directory with `/usr/bin/python3 make_npy_fixtures.py` (NumPy 1.24.2 made the
committed files). The tests hard-code the same values, so rerunning must not change them.
"""
import numpy as np
from numpy.lib import format as npformat

f4 = (np.arange(6, dtype="<f4").reshape(2, 3) * 0.25 - 0.5)
np.save("f4_2x3_v1.npy", f4)
np.save("u1_5.npy", np.array([0, 1, 127, 128, 255], dtype="u1"))
np.save("i8_scalar.npy", np.array(-7, dtype="<i8"))
np.save("i8_4.npy", np.array([0, -1, 2**40, 9], dtype="<i8"))
np.save("i4_2x3x4.npy", np.arange(24, dtype="<i4").reshape(2, 3, 4) - 12)
np.save("f4_0x4.npy", np.zeros((0, 4), dtype="<f4"))
np.save("f4_be_2x2.npy", np.array([[1.5, -2.0], [3.0, 0.004]], dtype=">f4"))
np.save("f8_fortran_2x3.npy", np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)))
for version in (2, 3):
    with open(f"f4_3x2_v{version}.npy", "wb") as out:
        npformat.write_array(out, f4.reshape(3, 2), version=(version, 0))
