"""Conformance tests of the stand-ins, through real HTTP."""
