def test_template_is_migrated(conn):
    assert conn.execute("select common.is_evm_address('0x' || repeat('a', 40))").fetchone() == (True,)
