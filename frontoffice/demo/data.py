def build_command(*, customers: int, seed: int, if_empty: bool) -> None:
    raise NotImplementedError
