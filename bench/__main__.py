"""`python -m bench` (or `make bench`): run every benchmark and print its figures."""

from bench import bench_accounts, search, search_eval, social, upload

for benchmark in (bench_accounts, upload, social, search, search_eval):
    print(f"== {benchmark.__name__} ==")
    benchmark.main()
    print()
