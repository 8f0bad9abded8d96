"""`python -m bench` (or `make bench`): run every benchmark and print its figures."""

from bench import (
    bench_accounts,
    copy_eval,
    feed,
    messages,
    portfolio,
    prints,
    rank_eval,
    sales,
    search,
    search_eval,
    similar,
    social,
    upload,
)

for benchmark in (bench_accounts, upload, social, portfolio, messages, sales, prints, search, search_eval, similar,
                  copy_eval, feed, rank_eval):
    print(f"== {benchmark.__name__} ==")
    benchmark.main()
    print()
