internal import COpenBLAS
