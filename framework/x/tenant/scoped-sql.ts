import {
  AliasNode,
  AndNode,
  BinaryOperationNode,
  ColumnNode,
  IdentifierNode,
  OnNode,
  OperationNodeTransformer,
  OperatorNode,
  ParensNode,
  PrimitiveValueListNode,
  ReferenceNode,
  TableNode,
  ValueListNode,
  ValueNode,
  ValuesNode,
  WhereNode,
  type ColumnUpdateNode,
  type DeleteQueryNode,
  type InsertQueryNode,
  type JoinNode,
  type Kysely,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RawNode,
  type RootOperationNode,
  type SelectQueryNode,
  type UnknownRow,
  type UpdateQueryNode,
  type WithNode,
} from 'kysely';
import { assertOption, TENANT_ERROR_CODES, TenantError } from './errors.ts';
import { isValidTenantId } from './tenant-id.ts';

export interface TenantSqlOptions {
  /** Tables that hold tenant rows → their tenant column (`true` means `tenant_id`). */
  tables: Readonly<Record<string, true | { column: string }>>;
  /** Tables every tenant may read but no tenant may write (lookup data). Any other table is refused. */
  shared?: readonly string[];
}

const SAFE_RAW = /^(?:asc|desc)(?: nulls (?:first|last))?$/i;

function refuse(reason: string): never {
  throw new TenantError(TENANT_ERROR_CODES.scopeRefused, `query cannot be scoped to the tenant: ${reason}`, { reason });
}

interface TableRef {
  readonly table: string;
  /** The name the query refers to it by (its alias, or the table). */
  readonly name: string;
}

function tableRefOf(node: OperationNode): TableRef | undefined {
  if (TableNode.is(node)) {
    if (node.table.schema) refuse(`schema-qualified table ${node.table.schema.name}.${node.table.identifier.name}`);
    return { table: node.table.identifier.name, name: node.table.identifier.name };
  }
  if (AliasNode.is(node) && TableNode.is(node.node) && IdentifierNode.is(node.alias)) {
    return { table: tableRefOf(node.node)!.table, name: node.alias.name };
  }
  return undefined;
}

function and(existing: OperationNode, extra: OperationNode): OperationNode {
  // Parentheses keep `a OR b` from swallowing the tenant predicate.
  return AndNode.create(ParensNode.create(existing), extra);
}

/**
 * Rewrites one query tree: every scoped table it reads, updates or deletes from gets
 * `<name>.<tenant column> = $tenant` (in the join's ON for joins, so outer joins keep their meaning),
 * every insert into a scoped table gets the tenant column set, and whatever it cannot vouch for —
 * raw SQL, unknown tables, schema-qualified names, writes to shared tables, changing the tenant
 * column, inserting another tenant's id, INSERT … SELECT — is refused.
 */
class TenantScopeTransformer extends OperationNodeTransformer {
  readonly #tenantId: string;
  readonly #tables: ReadonlyMap<string, string>;
  readonly #shared: ReadonlySet<string>;
  readonly #cteNames = new Set<string>();

  constructor(tenantId: string, tables: ReadonlyMap<string, string>, shared: ReadonlySet<string>) {
    super();
    this.#tenantId = tenantId;
    this.#tables = tables;
    this.#shared = shared;
  }

  #predicate(ref: TableRef, column: string): OperationNode {
    return BinaryOperationNode.create(
      ReferenceNode.create(ColumnNode.create(column), TableNode.create(ref.name)),
      OperatorNode.create('='),
      ValueNode.create(this.#tenantId),
    );
  }

  /** The tenant predicate for a read of `node`, or undefined for a shared table, a CTE or a subquery. */
  #readPredicate(node: OperationNode): OperationNode | undefined {
    const ref = tableRefOf(node);
    if (!ref) {
      if (AliasNode.is(node)) return undefined; // aliased subquery: scoped where it is defined
      refuse(`unsupported FROM item ${node.kind}`);
    }
    if (this.#cteNames.has(ref.table)) return undefined;
    const column = this.#tables.get(ref.table);
    if (column !== undefined) return this.#predicate(ref, column);
    if (this.#shared.has(ref.table)) return undefined;
    return refuse(`table ${ref.table} is neither tenant-scoped nor shared`);
  }

  #writeTarget(node: OperationNode | undefined, verb: string): { ref: TableRef; column: string } {
    const ref = node && tableRefOf(node);
    if (!ref) return refuse(`${verb} target is not a plain table`);
    const column = this.#tables.get(ref.table);
    if (column === undefined) return refuse(`${verb} on ${ref.table}, which is not tenant-scoped`);
    return { ref, column };
  }

  #scopeJoins(joins: readonly JoinNode[] | undefined, whereExtra: OperationNode[]): JoinNode[] | undefined {
    return joins?.map((j) => {
      const p = this.#readPredicate(j.table);
      if (!p) return j;
      if (j.on) return { ...j, on: OnNode.create(and(j.on.on, p)) };
      whereExtra.push(p);
      return j;
    });
  }

  #withWhere(where: WhereNode | undefined, extra: readonly OperationNode[]): WhereNode | undefined {
    let filter = where?.where;
    for (const p of extra) filter = filter === undefined ? p : and(filter, p);
    return filter === undefined ? undefined : WhereNode.create(filter);
  }

  protected override transformWith(node: WithNode): WithNode {
    for (const e of node.expressions) this.#cteNames.add(e.name.table.table.identifier.name);
    return super.transformWith(node);
  }

  protected override transformRaw(node: RawNode): RawNode {
    // Kysely itself spells sort directions as raw fragments; those name no table and are safe.
    if (node.parameters.length === 0 && SAFE_RAW.test(node.sqlFragments.join(''))) return node;
    return refuse('raw SQL cannot be checked; build the query with the expression builder');
  }

  protected override transformSelectQuery(node: SelectQueryNode): SelectQueryNode {
    if (node.with) this.transformWith(node.with);
    const inner = super.transformSelectQuery(node);
    const extra: OperationNode[] = [];
    for (const f of inner.from?.froms ?? []) {
      const p = this.#readPredicate(f);
      if (p) extra.push(p);
    }
    const joins = this.#scopeJoins(inner.joins, extra);
    const where = this.#withWhere(inner.where, extra);
    return { ...inner, ...(joins ? { joins } : {}), ...(where ? { where } : {}) };
  }

  protected override transformUpdateQuery(node: UpdateQueryNode): UpdateQueryNode {
    if (node.with) this.transformWith(node.with);
    const inner = super.transformUpdateQuery(node);
    const { ref, column } = this.#writeTarget(inner.table, 'UPDATE');
    for (const u of inner.updates ?? []) this.#refuseTenantColumnUpdate(u, column);
    const extra: OperationNode[] = [this.#predicate(ref, column)];
    for (const f of inner.from?.froms ?? []) {
      const p = this.#readPredicate(f);
      if (p) extra.push(p);
    }
    const joins = this.#scopeJoins(inner.joins, extra);
    return { ...inner, ...(joins ? { joins } : {}), where: this.#withWhere(inner.where, extra)! };
  }

  protected override transformDeleteQuery(node: DeleteQueryNode): DeleteQueryNode {
    if (node.with) this.transformWith(node.with);
    const inner = super.transformDeleteQuery(node);
    if (inner.from.froms.length !== 1) refuse('DELETE from several tables');
    const { ref, column } = this.#writeTarget(inner.from.froms[0], 'DELETE');
    const extra: OperationNode[] = [this.#predicate(ref, column)];
    for (const u of inner.using?.tables ?? []) {
      const p = this.#readPredicate(u);
      if (p) extra.push(p);
    }
    const joins = this.#scopeJoins(inner.joins, extra);
    return { ...inner, ...(joins ? { joins } : {}), where: this.#withWhere(inner.where, extra)! };
  }

  protected override transformInsertQuery(node: InsertQueryNode): InsertQueryNode {
    if (node.with) this.transformWith(node.with);
    const inner = super.transformInsertQuery(node);
    const { column } = this.#writeTarget(inner.into, 'INSERT');
    if (inner.onConflict?.updates) for (const u of inner.onConflict.updates) this.#refuseTenantColumnUpdate(u, column);
    if (inner.onDuplicateKey) for (const u of inner.onDuplicateKey.updates) this.#refuseTenantColumnUpdate(u, column);
    if (!inner.values || !ValuesNode.is(inner.values))
      refuse('INSERT without a VALUES list (INSERT … SELECT or DEFAULT VALUES)');
    const columns = inner.columns ?? [];
    const at = columns.findIndex((c) => c.column.name === column);
    const rows = inner.values.values.map((row) => {
      const values: readonly unknown[] = PrimitiveValueListNode.is(row) ? row.values : row.values;
      if (at >= 0) {
        const given = values[at];
        const value = PrimitiveValueListNode.is(row)
          ? given
          : given !== undefined && ValueNode.is(given as OperationNode)
            ? (given as ValueNode).value
            : Symbol('expr');
        if (value !== this.#tenantId) refuse(`INSERT sets ${column} to another tenant`);
        return row;
      }
      return PrimitiveValueListNode.is(row)
        ? PrimitiveValueListNode.create([...row.values, this.#tenantId])
        : ValueListNode.create([...row.values, ValueNode.create(this.#tenantId)]);
    });
    if (at >= 0) return inner;
    return { ...inner, columns: [...columns, ColumnNode.create(column)], values: ValuesNode.create(rows) };
  }

  #refuseTenantColumnUpdate(u: ColumnUpdateNode, column: string): void {
    if (ColumnNode.is(u.column) && u.column.column.name === column)
      refuse(`the tenant column ${column} cannot be updated`);
    if (!ColumnNode.is(u.column)) refuse('an update target that is not a plain column');
  }
}

/** A Kysely plugin that scopes every query to one tenant (see `tenantScopedDb`). */
export class TenantScopePlugin implements KyselyPlugin {
  readonly #tenantId: string;
  readonly #tables: ReadonlyMap<string, string>;
  readonly #shared: ReadonlySet<string>;

  constructor(tenantId: string, options: TenantSqlOptions) {
    assertOption(isValidTenantId(tenantId), 'tenantId', 'must be a valid tenant id');
    assertOption(
      typeof options?.tables === 'object' && options.tables !== null && Object.keys(options.tables).length > 0,
      'tables',
      'must name at least one tenant-scoped table',
    );
    const tables = new Map<string, string>();
    for (const [table, spec] of Object.entries(options.tables)) {
      const column = spec === true ? 'tenant_id' : spec?.column;
      assertOption(
        typeof column === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(column),
        `tables.${table}`,
        'must be true or { column: <identifier> }',
      );
      tables.set(table, column);
    }
    const shared = new Set(options.shared ?? []);
    for (const s of shared) assertOption(!tables.has(s), 'shared', `${s} cannot be both tenant-scoped and shared`);
    this.#tenantId = tenantId;
    this.#tables = tables;
    this.#shared = shared;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    // A fresh transformer per query: CTE names must not leak from one query into the next.
    return new TenantScopeTransformer(this.#tenantId, this.#tables, this.#shared).transformNode(args.node);
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    // Rows need no rewriting; a settled promise is cheaper than an async function's on every query.
    return Promise.resolve(args.result);
  }
}

// Scoped instances per (database, options, tenant): a Kysely instance holds no request state, and
// reusing one lets callers cache compiled statements per instance (KyselyRepository does) — a
// statement compiled by a tenant's instance is already scoped to that tenant.
const instances = new WeakMap<object, WeakMap<object, Map<string, Kysely<any>>>>();
const MAX_TENANTS_PER_DB = 10_000;

/**
 * The tenant's view of a database: every query built through it is scoped to `tenantId` on the
 * query tree, not by editing SQL text. Queries it cannot scope throw `TENANT_SCOPE_REFUSED` before
 * anything reaches the database. The same `db`, `options` object and tenant give back the same
 * instance (options are read once: pass a constant, don't mutate it).
 */
export function tenantScopedDb<DB>(db: Kysely<DB>, tenantId: string, options: TenantSqlOptions): Kysely<DB> {
  let byOptions = instances.get(db);
  if (!byOptions) instances.set(db, (byOptions = new WeakMap()));
  let byTenant = typeof options === 'object' && options !== null ? byOptions.get(options) : undefined;
  const hit = byTenant?.get(tenantId);
  if (hit) return hit as Kysely<DB>;
  const scoped = db.withPlugin(new TenantScopePlugin(tenantId, options));
  if (!byTenant) byOptions.set(options, (byTenant = new Map()));
  // Past the bound, forget the oldest tenant: it only costs a new instance on its next request.
  if (byTenant.size >= MAX_TENANTS_PER_DB) byTenant.delete(byTenant.keys().next().value!);
  byTenant.set(tenantId, scoped);
  return scoped;
}
