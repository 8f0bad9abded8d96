"""`python -m bench` (or `make bench`): run every benchmark and print its figures."""

from bench import bench_accounts, upload

for benchmark in (bench_accounts, upload):
    print(f"== {benchmark.__name__} ==")
    benchmark.main()
    print()
