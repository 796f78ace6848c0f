"""Files the tool writes and reads: atomic writes and the cache folder."""

from sim.files.atomic import write_atomic
from sim.files.cache import cache_dir

__all__ = ["cache_dir", "write_atomic"]
