"""What every entry point shares: typed parameters, run handling, pinned requirements.

Nothing here trains a model; the entry points (`diab`, `mnist`) import from here.
"""
