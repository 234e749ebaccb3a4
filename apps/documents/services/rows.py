"""Single-row UPDATEs of the pipeline's hot path, written without the ORM's query building: on
the daily check of an unchanged document, building the lease claim's, the attempt's and the
schedule's UPDATEs cost more CPU than the database spent running them. Column names come from
the models' metadata and every value is a parameter, adapted by its field as the ORM would."""

from django.db import connection


def row_update(
    model,
    *,
    values: dict,
    where: dict,
    increments: tuple[str, ...] = (),
    where_sql: str = "",
    where_params: tuple = (),
) -> int:
    """UPDATE the rows of `model` matching `where` (field name -> value, all equal) and the
    extra condition `where_sql` (its placeholders filled by `where_params`): set `values` and
    add 1 to each field of `increments`. Returns the number of rows updated."""
    quote = connection.ops.quote_name
    fields = model._meta

    def column(name: str) -> str:
        return quote(fields.get_field(name).column)

    assignments = [f"{column(name)} = %s" for name in values]
    assignments += [f"{column(name)} = {column(name)} + 1" for name in increments]
    conditions = [f"{column(name)} = %s" for name in where]
    if where_sql:
        conditions.append(f"({where_sql})")
    params = [fields.get_field(name).get_db_prep_save(v, connection) for name, v in values.items()]
    params += [fields.get_field(name).get_db_prep_value(v, connection) for name, v in where.items()]
    sql = (
        f"UPDATE {quote(fields.db_table)} SET {', '.join(assignments)} "  # noqa: S608
        f"WHERE {' AND '.join(conditions)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *where_params])
        return cursor.rowcount


def column_name(model, name: str) -> str:
    """The quoted column of a model's field, for a `where_sql` condition."""
    return connection.ops.quote_name(model._meta.get_field(name).column)
