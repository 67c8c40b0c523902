"""Risk engine benchmark: the Ibis table evaluator against hand-written DuckDB SQL and pandas."""
