"""Helpers shared by test modules: import them from here, never from another test module (importing a test
module runs its module-level set-up and makes its tests depend on each other)."""
