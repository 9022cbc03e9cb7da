"""Nullability of a query's result columns, worked out from its parse tree (pglast, PostgreSQL's own parser).

libpq's describe says which table column a result column comes from, never whether an expression,
an aggregate, a view's column or a joined column may be NULL. This module parses the statement
and follows every result column to where its value comes from:

- **tables**: ``attnotnull``; a table on the nullable side of an outer join (``LEFT JOIN x`` → x,
  ``RIGHT JOIN`` → the left side, ``FULL`` → both) is NULL-extended, unless a predicate that
  rejects NULL rows of it (``x.col = ...``, ``x.col IS NOT NULL``) sits in ``WHERE`` or in the
  condition of an inner join above it (PostgreSQL's own outer-join reduction). Such a predicate
  also proves its column non-NULL (``WHERE b.subtitle IS NOT NULL`` → ``subtitle`` is ``str``).
- **views, materialized views, subqueries, CTEs, VALUES, UNION**: analysed the same way
  (a view through its definition, ``pg_get_viewdef``).
- **functions in FROM**: ``RETURNS SETOF table`` keeps the table's NOT NULL columns, as a *claim*
  (a function may build rows the table would refuse: the row maker checks them); ``RETURNS
  TABLE``/``OUT`` columns and a non-SETOF row (a NULL row is a row of NULLs) may be NULL.
- **expressions**: ``count`` is never NULL; ``sum``/``min``/``max``/``avg``/``string_agg``/``bool_*``
  of non-NULL values are non-NULL when every group has a row (``GROUP BY`` without grouping sets,
  no ``FILTER``) and otherwise may be NULL (no rows); ``array_agg``/``json_agg``/``jsonb_agg``
  likewise never NULL under ``GROUP BY``; window ranking functions never, window aggregates
  like their plain form when the frame is the default (it holds the current row);
  ``coalesce``/``greatest``/``least`` are non-NULL when one argument is; ``CASE`` when every branch
  and the ``ELSE`` are; ``EXISTS``, ``ARRAY(...)``, ``IS [NOT] NULL``, ``IS [NOT] DISTINCT FROM``,
  literals, ``now()``/``CURRENT_TIMESTAMP`` never; built-in operators (``+``, ``||``, ``=``, ``<``,
  ``LIKE``, ``IN``, ``AND``, ...) and a list of built-in functions (``lower``, ``length``,
  ``date_trunc``, ``jsonb_build_object``...) are non-NULL when their arguments are; a scalar
  subquery only when it is an aggregate without ``GROUP BY`` (exactly one row). A parameter is
  non-NULL unless declared ``@nullable-param`` (a claim: the caller's value is not checked by
  the database). Anything else may be NULL.

Three answers, ordered: ``MAYBE`` < ``CLAIMED`` (non-NULL by a declaration the database does not
enforce: checked when a row is built) < ``PROVEN``. A statement this module cannot follow (a parse
error, a FROM item it does not know) gives ``None``: the generator then keeps its catalog-only rule.

It also recognises aggregated rows of a table, ``json_agg(t)``, ``jsonb_agg(t.*)``, ``array_agg(t)``
(``t`` a table of the query), for nested results (``list[<TableModel>]``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pglast import ast, parse_sql
from pglast.enums import parsenodes as pn
from pglast.enums import primnodes as pr
from pglast.enums.nodes import JoinType
from pglast.parser import ParseError

from chaindb.codegen.catalog import Catalog


class Null(enum.IntEnum):
    """How sure we are that a value is never NULL."""

    MAYBE = 0
    CLAIMED = 1
    PROVEN = 2


@dataclass(frozen=True)
class Rows:
    """An aggregate of a table's rows: ``json_agg(t)`` (``json``) or ``array_agg(t)`` (``array``)."""

    relid: int
    kind: str  # "json" or "array"
    elements_nullable: bool  # rows of an outer join's nullable side may be NULL


@dataclass(frozen=True)
class Col:
    name: str
    null: Null
    rows: Rows | None = None


class Unsupported(Exception):
    """A construct this module does not follow: the caller falls back to the catalog-only rule."""


def _lo(values: Iterable[Null]) -> Null:
    return min(values, default=Null.PROVEN)


def _hi(values: Iterable[Null]) -> Null:
    return max(values, default=Null.MAYBE)


# -- what is known about built-ins ---------------------------------------------------------------

# never NULL on a non-empty set of rows, whatever the values
_NONEMPTY_AGGREGATES = frozenset(
    {"array_agg", "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg", "xmlagg"}
)
# NULL on no rows, else non-NULL when the arguments are
_STRICT_AGGREGATES = frozenset(
    {"min", "max", "sum", "avg", "bool_and", "bool_or", "every", "bit_and", "bit_or", "bit_xor", "string_agg"}
)
_RANKING = frozenset({"row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile"})
# pg_catalog functions that return a non-NULL value for non-NULL arguments (checked: none of them
# returns NULL on a "not found": substring(... from pattern), array_length, ->>, regexp_match do)
_STRICT_FUNCTIONS = frozenset(
    {
        "abs", "age", "array_append", "array_cat", "array_prepend", "array_to_string", "btrim", "cardinality",
        "ceil", "ceiling", "char_length", "character_length", "date", "date_part", "date_trunc", "decode",
        "encode", "extract", "floor", "gen_random_uuid", "initcap", "int4", "int8", "jsonb_typeof", "json_typeof",
        "left", "length", "lower", "lpad", "ltrim", "make_interval", "md5", "mod", "now", "numeric",
        "octet_length", "position", "power", "quote_ident", "random", "repeat", "replace", "reverse", "right",
        "round", "row_to_json", "rpad", "rtrim", "sha256", "sign", "split_part", "sqrt", "statement_timestamp",
        "clock_timestamp", "transaction_timestamp", "string_to_array", "strpos", "substr", "text", "timezone",
        "to_char", "to_json", "to_jsonb", "translate", "trim", "trunc", "upper", "generate_series",
        "similar_to_escape", "pg_typeof", "timestamptz", "to_timestamp", "make_date",
    }
)
# never NULL, whatever the arguments
_NEVER_NULL_FUNCTIONS = frozenset(
    {"concat", "jsonb_build_object", "json_build_object", "jsonb_build_array", "json_build_array", "num_nulls",
     "num_nonnulls"}
)
# operators returning non-NULL for non-NULL operands (the JSON look-ups ->, ->>, #>, #>> are not here)
_STRICT_OPERATORS = frozenset(
    {
        "+", "-", "*", "/", "%", "^", "|/", "||/", "@", "=", "<>", "!=", "<", ">", "<=", ">=", "||", "@>", "<@",
        "&&", "~~", "!~~", "~~*", "!~~*", "~", "~*", "!~", "!~*", "?", "?|", "?&", "#-", "&", "|", "#", "<<", ">>",
    }
)
# operators of a predicate that rejects a NULL operand (the row does not pass)
_REJECTING_OPERATORS = frozenset(
    {"=", "<>", "!=", "<", ">", "<=", ">=", "~~", "!~~", "~~*", "!~~*", "~", "~*", "!~", "!~*", "@>", "<@", "&&"}
)


def _func_name(names: Sequence[Any]) -> str | None:
    """A pg_catalog function's name (unqualified or ``pg_catalog.``-qualified), else None."""
    parts = [n.sval for n in names]
    if len(parts) == 1:
        return str(parts[0])
    if len(parts) == 2 and parts[0] == "pg_catalog":
        return str(parts[1])
    return None


def _op_name(names: Sequence[Any] | None) -> str | None:
    return _func_name(names) if names else None


# -- FROM items ------------------------------------------------------------------------------------


class Item:
    """One relation of a FROM clause (a table, view, subquery, function, CTE), or a join's merged columns."""

    def __init__(self, names: set[str], cols: list[Col], relid: int | None = None) -> None:
        self.names = names  # what qualifies its columns: alias, or the relation's name
        self.cols = cols
        self.relid = relid  # a table's oid: its whole row is a row of that table
        self.nulled_by: set[int] = set()  # outer joins that may NULL-extend it
        self.refined: set[str] = set()  # columns a predicate proves non-NULL
        # USING columns: name → (mode, sources, the outer joins a FULL JOIN's coalesce looks through)
        self.merged: dict[str, tuple[str, list[tuple[Item, str]], frozenset[int]]] = {}

    def has(self, name: str) -> bool:
        return name in self.merged or any(c.name == name for c in self.cols)

    def column(self, name: str, through: frozenset[int] = frozenset()) -> Col | None:
        """The column as seen from here; ``through``: outer joins to ignore (a FULL JOIN's own, for its
        merged USING column: some side of every row is there)."""
        if name in self.merged:
            mode, sources, own = self.merged[name]
            values = [s.column(n, through | own) for s, n in sources]
            nulls = [v.null for v in values if v is not None]
            null = _hi(nulls) if mode == "coalesce" else (nulls[0] if nulls else Null.MAYBE)
        else:
            found = [c for c in self.cols if c.name == name]
            if len(found) != 1:
                return None
            null = found[0].null
        if self.nulled_by - through:
            null = Null.MAYBE
        elif name in self.refined:
            null = Null.PROVEN
        return Col(name, null)


@dataclass
class From:
    """A FROM element after analysis: its leaf items and what ``*`` expands to."""

    items: list[Item]
    star: list[tuple[Item, str]]


@dataclass
class Scope:
    items: list[Item]
    parent: Scope | None = None
    ctes: dict[str, list[Col]] = field(default_factory=dict)
    grouping_sets: bool = False
    grouped: bool = False  # GROUP BY without grouping sets: every group has a row

    def cte(self, name: str) -> list[Col] | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.ctes:
                return scope.ctes[name]
            scope = scope.parent
        return None


# -- the analysis ------------------------------------------------------------------------------------


class Inference:
    """Works out result-column nullability for statements on one catalog."""

    def __init__(self, cat: Catalog, param_nulls: Sequence[Null] = ()) -> None:
        self.cat = cat
        self.param_nulls = list(param_nulls)  # by $n - 1
        self._views: dict[int, list[Col] | None] = {}
        self._outer_joins = 0

    def statement(self, sql: str) -> list[Col] | None:
        """The result columns of ``sql`` (``$n`` placeholders), or None when it cannot be followed."""
        try:
            stmts = parse_sql(sql)
        except ParseError:
            return None
        if len(stmts) != 1:
            return None
        try:
            return self.stmt(stmts[0].stmt, None)
        except (Unsupported, RecursionError, LookupError):
            return None

    def stmt(self, node: Any, parent: Scope | None) -> list[Col]:
        if isinstance(node, ast.SelectStmt):
            return self.select(node, parent)
        if isinstance(node, ast.InsertStmt | ast.UpdateStmt | ast.DeleteStmt):
            return self.dml(node, parent)
        raise Unsupported(type(node).__name__)

    def _with(self, with_clause: Any, parent: Scope | None) -> Scope:
        scope = Scope([], parent)
        if with_clause is None:
            return scope
        for cte in with_clause.ctes or ():
            name = cte.ctename
            if with_clause.recursive:
                scope.ctes[name] = self._recursive_cte(cte, scope)
            else:
                scope.ctes[name] = self._rename(self.stmt(cte.ctequery, scope), cte.aliascolnames)
        return scope

    def _recursive_cte(self, cte: Any, scope: Scope) -> list[Col]:
        query = cte.ctequery
        if not isinstance(query, ast.SelectStmt) or query.op == pn.SetOperation.SETOP_NONE:
            return self._rename(self.stmt(query, scope), cte.aliascolnames)
        cols = self._rename(self.stmt(query.larg, scope), cte.aliascolnames)
        for _ in range(4):  # nullability only ever drops: a fixed point within a few rounds
            scope.ctes[cte.ctename] = cols
            right = self.stmt(query.rarg, scope)
            merged = [Col(c.name, min(c.null, r.null)) for c, r in zip(cols, right, strict=False)]
            if merged == cols:
                break
            cols = merged
        return cols

    @staticmethod
    def _rename(cols: list[Col], names: Sequence[Any] | None) -> list[Col]:
        if not names:
            return cols
        new = [n.sval for n in names]
        return [Col(new[i], c.null, c.rows) if i < len(new) else c for i, c in enumerate(cols)]

    # -- SELECT ----------------------------------------------------------------------------------------

    def select(self, node: Any, parent: Scope | None) -> list[Col]:
        scope = self._with(node.withClause, parent)
        if node.op != pn.SetOperation.SETOP_NONE:
            left = self.stmt(node.larg, scope)
            right = self.stmt(node.rarg, scope)
            if len(left) != len(right):
                raise Unsupported("set operation arity")
            if node.op == pn.SetOperation.SETOP_INTERSECT:
                return [Col(a.name, max(a.null, b.null)) for a, b in zip(left, right, strict=True)]
            if node.op == pn.SetOperation.SETOP_EXCEPT:
                return [Col(a.name, a.null) for a in left]
            return [Col(a.name, min(a.null, b.null)) for a, b in zip(left, right, strict=True)]
        if node.valuesLists:
            rows = [[self.expr(e, scope) for e in row] for row in node.valuesLists]
            return [Col(f"column{i + 1}", _lo(r[i] for r in rows)) for i in range(len(rows[0]))]
        star: list[tuple[Item, str]] = []
        for element in node.fromClause or ():
            f = self.from_item(element, scope)
            scope.items += f.items
            star += f.star
        if node.whereClause is not None:
            self.reject_nulls(node.whereClause, scope, scope.items)
        groups = node.groupClause or ()
        scope.grouping_sets = any(isinstance(g, ast.GroupingSet) for g in groups)
        scope.grouped = bool(groups) and not scope.grouping_sets
        return self.targets(node.targetList or (), scope, star)

    def targets(self, targets: Sequence[Any], scope: Scope, star: list[tuple[Item, str]]) -> list[Col]:
        out: list[Col] = []
        for target in targets:
            value = target.val
            if isinstance(value, ast.ColumnRef) and value.fields and isinstance(value.fields[-1], ast.A_Star):
                out += self.expand_star(value, scope, star)
                continue
            null, rows = self.value(value, scope)
            out.append(Col(target.name or _figure_name(value), null, rows))
        return out

    def expand_star(self, ref: Any, scope: Scope, star: list[tuple[Item, str]]) -> list[Col]:
        qualifier = [f.sval for f in ref.fields[:-1]]
        if not qualifier:
            pairs = star
        else:
            item = self.find_item(qualifier, scope)
            if item is None:
                raise Unsupported(f"{'.'.join(qualifier)}.*")
            pairs = [(item, c.name) for c in item.cols]
        out = []
        for item, name in pairs:
            col = item.column(name)
            if col is None:
                raise Unsupported(f"column {name}")
            out.append(Col(name, self._grouping(col.null, scope)))
        return out

    @staticmethod
    def _grouping(null: Null, scope: Scope) -> Null:
        return Null.MAYBE if scope.grouping_sets else null

    # -- INSERT / UPDATE / DELETE ... RETURNING -----------------------------------------------------------

    def dml(self, node: Any, parent: Scope | None) -> list[Col]:
        scope = self._with(node.withClause, parent)
        target = self.relation_item(node.relation, scope)
        scope.items.append(target)
        star: list[tuple[Item, str]] = [(target, c.name) for c in target.cols]
        extra = getattr(node, "fromClause", None) or getattr(node, "usingClause", None) or ()
        for element in extra:
            f = self.from_item(element, scope)
            scope.items += f.items
            star += f.star
        where = getattr(node, "whereClause", None)
        if where is not None:
            self.reject_nulls(where, scope, scope.items)
        if isinstance(node, ast.UpdateStmt):
            # RETURNING shows the new row: WHERE proved the old values only
            target.refined -= {t.name for t in node.targetList or ()}
        clause = getattr(node, "returningClause", None)  # PostgreSQL 18's parser; returningList before
        returning = clause.exprs if clause is not None else getattr(node, "returningList", None)
        return self.targets(returning or (), scope, star)

    # -- FROM ------------------------------------------------------------------------------------------

    def from_item(self, node: Any, scope: Scope) -> From:
        if isinstance(node, ast.RangeVar):
            item = self.relation_item(node, scope)
            return From([item], [(item, c.name) for c in item.cols])
        if isinstance(node, ast.RangeSubselect):
            inner = Scope(scope.items if node.lateral else [], scope)
            cols = self.stmt(node.subquery, inner)
            cols = self._rename(cols, node.alias.colnames if node.alias else None)
            item = Item({str(node.alias.aliasname)} if node.alias else set(), cols)
            return From([item], [(item, c.name) for c in item.cols])
        if isinstance(node, ast.RangeFunction):
            item = self.function_item(node, scope)
            return From([item], [(item, c.name) for c in item.cols])
        if isinstance(node, ast.JoinExpr):
            return self.join(node, scope)
        raise Unsupported(type(node).__name__)

    def relation_item(self, node: Any, scope: Scope) -> Item:
        alias = node.alias
        names = {alias.aliasname} if alias else {node.relname}
        if node.schemaname is None:
            cte = scope.cte(node.relname)
            if cte is not None:
                return Item(names, self._rename(list(cte), alias.colnames if alias else None))
        oid = self.cat.relation_oid(node.schemaname, node.relname)
        if oid is None:
            raise Unsupported(f"relation {node.relname}")
        table = self.cat.table(oid)
        if not alias and node.schemaname:
            names.add(f"{node.schemaname}.{node.relname}")
        if table.relkind in ("r", "p", "f"):
            cols = [Col(n, Null.PROVEN if nn else Null.MAYBE) for n, nn, _ in table.columns.values()]
            relid: int | None = oid if table.relkind in ("r", "p") else None
        elif table.relkind in ("v", "m"):
            cols = self.view(oid)
            relid = None
        else:
            raise Unsupported(f"relkind {table.relkind}")
        return Item(names, self._rename(cols, alias.colnames if alias else None), relid)

    def view(self, oid: int) -> list[Col]:
        if oid not in self._views:
            self._views[oid] = None  # a view that reaches itself: give up
            names = [n for n, _, _ in self.cat.table(oid).columns.values()]
            cols = self.stmt(parse_sql(self.cat.view_definition(oid))[0].stmt, None)
            if len(cols) != len(names):
                raise Unsupported("view columns")
            self._views[oid] = [Col(n, c.null) for n, c in zip(names, cols, strict=True)]
        found = self._views[oid]
        if found is None:
            raise Unsupported("recursive view")
        return found

    def function_item(self, node: Any, scope: Scope) -> Item:
        if node.is_rowsfrom or len(node.functions) != 1:
            raise Unsupported("ROWS FROM")
        call, coldefs = node.functions[0]
        alias = node.alias
        if not isinstance(call, ast.FuncCall):
            raise Unsupported("function in FROM")
        parts = [str(n.sval) for n in call.funcname or ()]
        schema, name = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[-1])
        coldefs = coldefs or node.coldeflist
        if coldefs:
            cols = [Col(c.colname, Null.MAYBE) for c in coldefs]
        else:
            shape = self.cat.function_shape(schema, name, len(call.args or ()))
            if shape is None:
                raise Unsupported(f"function {name}")
            retset, relid, out_names = shape
            if relid is not None:
                table = self.cat.table(relid)
                claim = Null.CLAIMED if retset else Null.MAYBE
                cols = [Col(n, claim if nn else Null.MAYBE) for n, nn, _ in table.columns.values()]
            elif out_names:
                cols = [Col(n, Null.MAYBE) for n in out_names]
            else:
                null = Null.MAYBE
                if name == "generate_series" and schema in (None, "pg_catalog"):
                    null = _lo(self.expr(a, scope) for a in call.args or ())
                cols = [Col(alias.aliasname if alias else name, null)]
        if node.ordinality:
            cols.append(Col("ordinality", Null.PROVEN))
        cols = self._rename(cols, alias.colnames if alias else None)
        names = {alias.aliasname} if alias else {name}
        return Item(names, cols)

    def join(self, node: Any, scope: Scope) -> From:
        left = self.from_item(node.larg, scope)
        # a LATERAL item on the right sees the left side
        right = self.from_item(node.rarg, Scope(scope.items + left.items, scope.parent, scope.ctes))
        kind = node.jointype
        using = [n.sval for n in node.usingClause or ()]
        if node.isNatural:
            lnames = [name for _, name in left.star]
            rnames = {name for _, name in right.star}
            using = [n for n in lnames if n in rnames]
        merged = Item(set(), [])
        left_token, right_token = self._outer_joins + 1, self._outer_joins + 2
        self._outer_joins += 2
        for name in using:
            lsrc = next(((i, n) for i, n in left.star if n == name), None)
            rsrc = next(((i, n) for i, n in right.star if n == name), None)
            if lsrc is None or rsrc is None:
                raise Unsupported(f"USING {name}")
            if kind == JoinType.JOIN_FULL:
                own = frozenset({left_token, right_token})
                merged.merged[name] = ("coalesce", [lsrc, rsrc], own)
            elif kind == JoinType.JOIN_RIGHT:
                merged.merged[name] = ("first", [rsrc], frozenset())
            else:
                merged.merged[name] = ("first", [lsrc], frozenset())
            # l.name = r.name: non-NULL on each side whose rows must match
            if kind in (JoinType.JOIN_INNER, JoinType.JOIN_RIGHT):
                lsrc[0].refined.add(lsrc[1])
            if kind in (JoinType.JOIN_INNER, JoinType.JOIN_LEFT):
                rsrc[0].refined.add(rsrc[1])
        if kind not in (JoinType.JOIN_INNER, JoinType.JOIN_LEFT, JoinType.JOIN_RIGHT, JoinType.JOIN_FULL):
            raise Unsupported(f"join type {kind}")
        items = [merged, *left.items, *right.items] if using else [*left.items, *right.items]
        if node.quals is not None:
            # the ON condition filters the rows of the side(s) that are not NULL-extended by this join
            affected = {
                JoinType.JOIN_INNER: left.items + right.items,
                JoinType.JOIN_LEFT: right.items,
                JoinType.JOIN_RIGHT: left.items,
            }.get(kind, [])
            if affected:
                self.reject_nulls(node.quals, Scope(scope.items + items, scope.parent, scope.ctes), affected)
        # then this join's own NULL-extension, which its ON condition does not undo
        if kind in (JoinType.JOIN_LEFT, JoinType.JOIN_FULL):
            for item in right.items:
                item.nulled_by.add(right_token)
        if kind in (JoinType.JOIN_RIGHT, JoinType.JOIN_FULL):
            for item in left.items:
                item.nulled_by.add(left_token)
        star = [(merged, n) for n in using]
        star += [(i, n) for i, n in left.star if n not in using]
        star += [(i, n) for i, n in right.star if n not in using]
        if node.alias is not None:
            # (a JOIN b) AS j: one item named j, its columns the join's
            cols = []
            for item, name in star:
                col = item.column(name)
                cols.append(Col(name, col.null if col else Null.MAYBE))
            joined = Item({node.alias.aliasname}, self._rename(cols, node.alias.colnames))
            return From([joined], [(joined, c.name) for c in joined.cols])
        return From(items, star)

    # -- predicates that reject NULLs --------------------------------------------------------------------

    def reject_nulls(self, predicate: Any, scope: Scope, affected: list[Item]) -> None:
        """Apply the conjuncts of ``predicate`` that a NULL operand fails: the column is non-NULL in the
        rows that pass, and its relation is not NULL-extended there (outer-join reduction)."""
        for conjunct in _conjuncts(predicate):
            for ref in _rejected_refs(conjunct):
                found = self.find_column(ref, scope)
                if found is None:
                    continue
                item, name = found
                if item not in affected:
                    continue
                item.refined.add(name)
                present = set(item.nulled_by)
                if present:
                    for other in affected:
                        other.nulled_by -= present

    # -- names -----------------------------------------------------------------------------------------

    def find_item(self, qualifier: list[str], scope: Scope | None) -> Item | None:
        key = ".".join(qualifier)
        while scope is not None:
            found = [i for i in scope.items if key in i.names]
            if len(found) == 1:
                return found[0]
            if found:
                return None
            scope = scope.parent
        return None

    def find_column(self, ref: Any, scope: Scope | None) -> tuple[Item, str] | None:
        fields = [str(f.sval) for f in ref.fields if isinstance(f, ast.String)]
        if len(fields) != len(ref.fields) or not fields:
            return None
        name = fields[-1]
        if len(fields) == 1:
            while scope is not None:
                found = [i for i in scope.items if i.has(name)]
                if len(found) > 1 and any(i.merged for i in found):
                    found = [i for i in found if name in i.merged]  # a USING column hides both sides
                if len(found) == 1:
                    return found[0], name
                if found:
                    return None
                scope = scope.parent
            return None
        item = self.find_item(fields[:-1], scope)
        if item is None or not item.has(name):
            return None
        return item, name

    # -- expressions -------------------------------------------------------------------------------------

    def expr(self, node: Any, scope: Scope) -> Null:
        return self.value(node, scope)[0]

    def value(self, node: Any, scope: Scope, *, in_aggregate: bool = False) -> tuple[Null, Rows | None]:
        """(nullability, aggregated rows) of an expression."""
        e = self.expr if not in_aggregate else self._agg_expr
        if isinstance(node, ast.ColumnRef):
            found = self.find_column(node, scope)
            if found is not None:
                col = found[0].column(found[1])
                null = col.null if col else Null.MAYBE
                return (null if in_aggregate else self._grouping(null, scope)), None
            row = self.whole_row(node, scope)
            if row is not None:
                return (Null.MAYBE if row.nulled_by else Null.PROVEN), None
            return Null.MAYBE, None
        if isinstance(node, ast.A_Const):
            return (Null.MAYBE if node.isnull else Null.PROVEN), None
        if isinstance(node, ast.ParamRef):
            k = (node.number or 0) - 1
            return (self.param_nulls[k] if 0 <= k < len(self.param_nulls) else Null.MAYBE), None
        if isinstance(node, ast.TypeCast | ast.CollateClause):
            return self.value(node.arg, scope, in_aggregate=in_aggregate)
        if isinstance(node, ast.FuncCall):
            return self.func(node, scope, in_aggregate=in_aggregate)
        if isinstance(node, ast.A_Expr):
            return self.operator(node, scope, e), None
        if isinstance(node, ast.BoolExpr):
            return _lo(e(a, scope) for a in node.args or ()), None
        if isinstance(node, ast.NullTest | ast.BooleanTest | ast.GroupingFunc):
            return Null.PROVEN, None
        if isinstance(node, ast.CaseExpr):
            if node.defresult is None:
                return Null.MAYBE, None
            results = [w.result for w in node.args or ()] + [node.defresult]
            return _lo(e(r, scope) for r in results), None
        if isinstance(node, ast.CoalesceExpr):
            args = list(node.args or ())
            values = [self.value(a, scope, in_aggregate=in_aggregate) for a in args]
            null = _hi(v[0] for v in values)
            rows = values[0][1] if values and values[0][1] is not None and all(map(_is_literal, args[1:])) else None
            return null, rows
        if isinstance(node, ast.MinMaxExpr):
            return _hi(e(a, scope) for a in node.args or ()), None
        if isinstance(node, ast.SubLink):
            return self.sublink(node, scope), None
        if isinstance(node, ast.SQLValueFunction):
            return (Null.MAYBE if node.op == pr.SQLValueFunctionOp.SVFOP_CURRENT_SCHEMA else Null.PROVEN), None
        if isinstance(node, ast.A_ArrayExpr | ast.RowExpr):
            return Null.PROVEN, None
        return Null.MAYBE, None

    def _agg_expr(self, node: Any, scope: Scope) -> Null:
        return self.value(node, scope, in_aggregate=True)[0]

    def whole_row(self, ref: Any, scope: Scope) -> Item | None:
        """The item a whole-row reference names: ``t`` or ``t.*``."""
        fields = list(ref.fields)
        if isinstance(fields[-1], ast.A_Star):
            fields = fields[:-1]
        if not fields or not all(isinstance(f, ast.String) for f in fields):
            return None
        return self.find_item([f.sval for f in fields], scope)

    def func(self, node: Any, scope: Scope, *, in_aggregate: bool) -> tuple[Null, Rows | None]:
        name = _func_name(node.funcname)
        args = list(node.args or ())
        e = self._agg_expr if in_aggregate else self.expr
        if name is None:
            return Null.MAYBE, None
        window = node.over
        default_frame = (
            window is not None
            and not (window.frameOptions & pn.FRAMEOPTION_NONDEFAULT)
            and not window.name
            and not window.refname
        )
        if window is not None:
            if name in _RANKING:
                return _lo(self.expr(a, scope) for a in args), None
            if name == "count":
                return Null.PROVEN, None
            if node.agg_filter is None and default_frame and name in _STRICT_AGGREGATES:
                return _lo(self.expr(a, scope) for a in args), None
            if node.agg_filter is None and default_frame and name in _NONEMPTY_AGGREGATES:
                return Null.PROVEN, None
            return Null.MAYBE, None
        if name == "count":
            return Null.PROVEN, None
        if name in _NONEMPTY_AGGREGATES or name in _STRICT_AGGREGATES:
            rows = self._rows_of(name, node, scope)
            if node.agg_filter is not None or not scope.grouped:
                return Null.MAYBE, rows
            if name in _NONEMPTY_AGGREGATES:
                return Null.PROVEN, rows
            return _lo(self._agg_expr(a, scope) for a in args), None
        if name in _NEVER_NULL_FUNCTIONS:
            return Null.PROVEN, None
        if name == "concat_ws" or name == "format":
            return (e(args[0], scope) if args else Null.MAYBE), None
        if name in _STRICT_FUNCTIONS and not node.agg_star and not node.func_variadic:
            return _lo(e(a, scope) for a in args), None
        return Null.MAYBE, None

    def _rows_of(self, name: str, node: Any, scope: Scope) -> Rows | None:
        """``json_agg(t)`` / ``jsonb_agg(t.*)`` / ``array_agg(t)`` of a table ``t`` of the query."""
        kind = {"json_agg": "json", "jsonb_agg": "json", "array_agg": "array"}.get(name)
        args = list(node.args or ())
        if kind is None or len(args) != 1 or not isinstance(args[0], ast.ColumnRef):
            return None
        if self.find_column(args[0], scope) is not None:
            return None  # a column named like the table
        item = self.whole_row(args[0], scope)
        if item is None or item.relid is None:
            return None
        nullable = bool(item.nulled_by)
        if nullable and node.agg_filter is not None:
            # FILTER (WHERE t.id IS NOT NULL): no NULL-extended row gets in
            probe = Item(set(item.names), list(item.cols), item.relid)
            probe.nulled_by = set(item.nulled_by)
            self.reject_nulls(node.agg_filter, Scope([probe], scope.parent, scope.ctes), [probe])
            nullable = bool(probe.nulled_by)
        return Rows(item.relid, kind, nullable)

    def operator(self, node: Any, scope: Scope, e: Any) -> Null:
        kind = node.kind
        K = pn.A_Expr_Kind
        if kind in (K.AEXPR_DISTINCT, K.AEXPR_NOT_DISTINCT):
            return Null.PROVEN
        if kind == K.AEXPR_NULLIF:
            return Null.MAYBE
        operands = [x for x in (node.lexpr, node.rexpr) if x is not None]
        if kind == K.AEXPR_OP:
            if _op_name(node.name) not in _STRICT_OPERATORS:
                return Null.MAYBE
            return _lo(e(x, scope) for x in operands)
        if kind in (K.AEXPR_LIKE, K.AEXPR_ILIKE, K.AEXPR_SIMILAR):
            return _lo(e(x, scope) for x in operands)
        if kind in (K.AEXPR_IN, K.AEXPR_BETWEEN, K.AEXPR_NOT_BETWEEN, K.AEXPR_BETWEEN_SYM, K.AEXPR_NOT_BETWEEN_SYM):
            values = [node.lexpr, *(node.rexpr if isinstance(node.rexpr, list | tuple) else [node.rexpr])]
            return _lo(e(x, scope) for x in values)
        if kind in (K.AEXPR_OP_ANY, K.AEXPR_OP_ALL):
            # the array's elements may be NULL, unless it is a parameter (typed list[T]) or ARRAY[...]
            array = node.rexpr
            while isinstance(array, ast.TypeCast):
                array = array.arg
            if not isinstance(array, ast.ParamRef | ast.A_ArrayExpr) or _op_name(node.name) not in _STRICT_OPERATORS:
                return Null.MAYBE
            elements = array.elements or () if isinstance(array, ast.A_ArrayExpr) else ()
            return _lo([e(node.lexpr, scope), e(node.rexpr, scope), *(e(x, scope) for x in elements)])
        return Null.MAYBE

    def sublink(self, node: Any, scope: Scope) -> Null:
        kind = node.subLinkType
        if kind in (pr.SubLinkType.EXISTS_SUBLINK, pr.SubLinkType.ARRAY_SUBLINK):
            return Null.PROVEN
        if kind != pr.SubLinkType.EXPR_SUBLINK:
            return Null.MAYBE
        sub = node.subselect
        if not isinstance(sub, ast.SelectStmt) or not _one_row(sub, self.cat):
            return Null.MAYBE
        cols = self.stmt(sub, scope)
        return cols[0].null if len(cols) == 1 else Null.MAYBE


def _conjuncts(node: Any) -> list[Any]:
    if isinstance(node, ast.BoolExpr) and node.boolop == pr.BoolExprType.AND_EXPR:
        return [c for a in node.args or () for c in _conjuncts(a)]
    return [node]


def _strip(node: Any) -> Any:
    while isinstance(node, ast.TypeCast | ast.CollateClause):
        node = node.arg
    return node


def _rejected_refs(node: Any) -> list[Any]:
    """Column references a NULL value of which makes the predicate not true."""
    node = _strip(node)
    refs: list[Any] = []
    if isinstance(node, ast.ColumnRef):
        refs = [node]
    elif isinstance(node, ast.NullTest) and node.nulltesttype == pr.NullTestType.IS_NOT_NULL:
        refs = [_strip(node.arg)]
    elif isinstance(node, ast.A_Expr):
        K = pn.A_Expr_Kind
        if node.kind == K.AEXPR_OP and _op_name(node.name) in _REJECTING_OPERATORS:
            refs = [_strip(x) for x in (node.lexpr, node.rexpr) if x is not None]
        elif node.kind in (K.AEXPR_IN, K.AEXPR_LIKE, K.AEXPR_ILIKE, K.AEXPR_BETWEEN) or (
            node.kind in (K.AEXPR_OP_ANY, K.AEXPR_OP_ALL) and _op_name(node.name) in _REJECTING_OPERATORS
        ):
            refs = [_strip(node.lexpr)]
    return [r for r in refs if isinstance(r, ast.ColumnRef) and r.fields and not isinstance(r.fields[-1], ast.A_Star)]


def _is_literal(node: Any) -> bool:
    return isinstance(_strip(node), ast.A_Const) and not _strip(node).isnull


def _contains_aggregate(node: Any, cat: Catalog) -> bool:
    """An aggregate call in ``node``, not inside a subquery."""
    if isinstance(node, ast.SubLink | ast.SelectStmt):
        return False
    if isinstance(node, ast.FuncCall) and node.over is None:
        name = _func_name(node.funcname or ())
        if name is not None and cat.is_aggregate(name):
            return True
    if isinstance(node, ast.Node):
        return any(_contains_aggregate(getattr(node, attr), cat) for attr in node)
    if isinstance(node, list | tuple):
        return any(_contains_aggregate(v, cat) for v in node)
    return False


def _one_row(sub: Any, cat: Catalog) -> bool:
    """A SELECT that returns exactly one row: aggregates, no GROUP BY, HAVING, LIMIT, OFFSET or set-returning."""
    return (
        sub.op == pn.SetOperation.SETOP_NONE
        and not sub.groupClause
        and sub.havingClause is None
        and sub.limitCount is None
        and sub.limitOffset is None
        and not sub.valuesLists
        and len(sub.targetList or ()) == 1
        and _contains_aggregate(sub.targetList[0].val, cat)
    )


def _figure_name(node: Any) -> str:
    """The name PostgreSQL gives an unaliased result column (FigureColname), for the common cases."""
    node_ = node
    if isinstance(node_, ast.ColumnRef):
        last = (node_.fields or (None,))[-1]
        return str(last.sval) if isinstance(last, ast.String) else "?column?"
    if isinstance(node_, ast.TypeCast):
        inner = _figure_name(node_.arg)
        if inner != "?column?":
            return inner
        names = node_.typeName.names if node_.typeName else None
        return str(names[-1].sval) if names else "?column?"
    if isinstance(node_, ast.FuncCall):
        return str((node_.funcname or ())[-1].sval) if node_.funcname else "?column?"
    if isinstance(node_, ast.CoalesceExpr):
        return "coalesce"
    if isinstance(node_, ast.MinMaxExpr):
        return "greatest" if node_.op == pr.MinMaxOp.IS_GREATEST else "least"
    if isinstance(node_, ast.CaseExpr):
        return "case"
    if isinstance(node_, ast.A_ArrayExpr):
        return "array"
    if isinstance(node_, ast.RowExpr):
        return "row"
    if isinstance(node_, ast.SubLink):
        if node_.subLinkType == pr.SubLinkType.EXISTS_SUBLINK:
            return "exists"
        if node_.subLinkType == pr.SubLinkType.ARRAY_SUBLINK:
            return "array"
        sub = node_.subselect
        if isinstance(sub, ast.SelectStmt) and sub.targetList:
            t = sub.targetList[0]
            return str(t.name) if t.name else _figure_name(t.val)
    return "?column?"
