"""currency_rates: the CURRENCY_RATES setting's table, kept in the database so that SQL can compare
prices across currencies."""

from store import durable_transaction


def save_rates(conn, rates):
    """Make currency_rates the setting's table (at start); no write when it already is."""
    wanted = sorted((code, rate, rates.base, rates.as_of) for code, rate in rates.rates.items())
    if [tuple(row) for row in conn.execute("SELECT currency, rate, base, as_of FROM currency_rates "
                                           "ORDER BY currency")] == wanted:
        return
    with durable_transaction(conn):
        conn.execute("DELETE FROM currency_rates")
        conn.executemany("INSERT INTO currency_rates (currency, rate, base, as_of) VALUES (?, ?, ?, ?)", wanted)
