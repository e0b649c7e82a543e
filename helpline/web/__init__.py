"""What every feature's views share: request parsing (``inputs``) and authorisation by role and
centre (``access``). Features import these from the core, never from each other."""
