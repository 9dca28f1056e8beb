"""Services: the functions that write. Keyword-only, typed, named <entity>_<action>."""
