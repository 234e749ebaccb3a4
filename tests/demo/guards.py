import builtins
import io
import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

SHARED_DIR = (settings.BASE_DIR.parent / "shared").resolve()


@contextmanager
def shared_folder_unreadable():
    """Any attempt to open a file under ../shared fails the test: the demo must use only the
    copies inside the repository."""
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, str | os.PathLike) and Path(file).resolve().is_relative_to(SHARED_DIR):
            raise AssertionError(f"load_demo read {file} from the shared folder")
        return real_open(file, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(builtins, "open", guarded_open)
        patch.setattr(io, "open", guarded_open)
        yield
