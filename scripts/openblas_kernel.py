"""The OpenBLAS kernel this machine's library picks (openblas_get_corename), which every timing is reported
beside: Debian's OpenBLAS 0.3.21 picks slow generic kernels on the newest CPUs."""
import ctypes


def openblas_corename():
    """The kernel's name ("Cooperlake", "Haswell", "Prescott"), or "?" when no OpenBLAS loads."""
    for name in ("libopenblas.so.0", "libopenblas.so"):
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        library.openblas_get_corename.restype = ctypes.c_char_p
        return library.openblas_get_corename().decode()
    return "?"
