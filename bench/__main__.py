"""`python -m bench` (or `make bench`): run every benchmark and print its figures."""

from bench import bench_accounts

for benchmark in (bench_accounts,):
    print(f"== {benchmark.__name__} ==")
    benchmark.main()
    print()
