"""Performance benchmarks for Pain Diary: `make bench` or `python -m bench [name ...]`."""
