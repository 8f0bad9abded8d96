"""`python -m bench` (or `make bench`): run every benchmark and print its figures."""

from bench import bench_accounts, social, upload

for benchmark in (bench_accounts, upload, social):
    print(f"== {benchmark.__name__} ==")
    benchmark.main()
    print()
