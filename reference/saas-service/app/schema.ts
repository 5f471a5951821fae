/** The tables, created at startup when missing. Every tenant row carries tenant_id; uniqueness is per tenant. */
export const SCHEMA_SQL = [
  `create table if not exists projects (
     id serial primary key,
     tenant_id text not null,
     name text not null,
     description text,
     status text not null,
     version int not null,
     unique (tenant_id, name))`,
  `create index if not exists projects_tenant on projects (tenant_id, id)`,
  `create table if not exists tasks (
     id serial primary key,
     tenant_id text not null,
     project_id int not null references projects (id) on delete cascade,
     title text not null,
     done boolean not null,
     priority int not null,
     version int not null)`,
  `create index if not exists tasks_tenant on tasks (tenant_id, project_id, id)`,
];

export const TENANT_TABLES = { tables: { projects: true, tasks: true } } as const;
