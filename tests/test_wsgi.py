"""The WSGI entry point sets the loaded application aside from the garbage collector."""

import gc
import importlib


def test_the_entry_point_freezes_what_it_loaded():
    gc.unfreeze()
    try:
        module = importlib.import_module("agenplan.wsgi")
        assert callable(module.application)
        gc.unfreeze()
        assert gc.get_freeze_count() == 0
        frozen = module.settle()
        # The URLconf, the views and Django itself: far more than a bare interpreter holds.
        assert frozen > 50_000
        assert gc.get_freeze_count() == frozen
        # What a full collection still walks is a fraction of it.
        assert len(gc.get_objects()) < frozen / 2
    finally:
        gc.unfreeze()
