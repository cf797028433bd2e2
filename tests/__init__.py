"""The project's tests: unit tests, and end-to-end tests (marked `slow`) that drive the real CLIs."""
