"""Files the tool writes and reads: atomic writes and the cache folder.

Names are imported on first use (``lazy_loader``), so importing one module of the
package does not import the others.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "atomic": ["write_atomic", "write_folder"],
        "jsonfile": ["write_json"],
        "cache": ["cache_dir"],
    },
)
