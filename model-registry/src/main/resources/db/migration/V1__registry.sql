-- ragtune model-registry schema

create table base_model (
    id                  varchar(128) primary key,
    architecture        varchar(128) not null,
    checkpoint_location text         not null,
    weights_sha256      varchar(64),
    description         text,
    created_by          varchar(200) not null,
    created_at          timestamptz  not null
);

create table adapter (
    id             bigserial primary key,
    name           varchar(128) not null unique,
    base_model_id  varchar(128) not null references base_model (id),
    description    text,
    tags           text         not null default '{}',
    latest_version integer      not null default 0,
    created_by     varchar(200) not null,
    created_at     timestamptz  not null
);

create table adapter_version (
    id             bigserial primary key,
    adapter_id     bigint       not null references adapter (id),
    version        integer      not null,
    status         varchar(16)  not null check (status in ('ACTIVE', 'ARCHIVED')),
    manifest       text         not null,
    parent_version integer,
    created_by     varchar(200) not null,
    created_at     timestamptz  not null,
    archived_by    varchar(200),
    archived_at    timestamptz,
    unique (adapter_id, version)
);

create table version_file (
    id         bigserial primary key,
    version_id bigint       not null references adapter_version (id),
    name       varchar(255) not null,
    sha256     varchar(64)  not null,
    size       bigint       not null,
    unique (version_id, name)
);

create table alias (
    id         bigserial primary key,
    adapter_id bigint       not null references adapter (id),
    name       varchar(64)  not null,
    version    integer      not null,
    updated_by varchar(200) not null,
    updated_at timestamptz  not null,
    unique (adapter_id, name)
);

-- the versions an alias pointed at before, newest last: rollback pops the newest
create table alias_previous (
    id         bigserial primary key,
    adapter_id bigint      not null references adapter (id),
    alias      varchar(64) not null,
    version    integer     not null
);
create index alias_previous_lookup on alias_previous (adapter_id, alias, id);

create table history (
    id           bigserial primary key,
    event_id     uuid         not null unique,
    adapter_id   bigint       not null references adapter (id),
    type         varchar(32)  not null,
    version      integer,
    alias        varchar(64),
    from_version integer,
    to_version   integer,
    actor        varchar(200) not null,
    reason       text,
    forced       boolean      not null default false,
    rollback     boolean      not null default false,
    occurred_at  timestamptz  not null
);
create index history_by_adapter on history (adapter_id, id);

-- transactional outbox: written in the transaction of the change, relayed to Kafka by OutboxRelay
create table outbox (
    id         bigserial primary key,
    event_id   uuid         not null unique,
    topic      varchar(200) not null,
    event_key  varchar(200) not null,
    payload    text         not null,
    created_at timestamptz  not null,
    sent_at    timestamptz,
    attempts   integer      not null default 0,
    last_error text
);
create index outbox_pending on outbox (id) where sent_at is null;

-- one row; the relay holds it FOR UPDATE while publishing so only one instance relays at a time
create table outbox_relay_lock (id integer primary key);
insert into outbox_relay_lock (id) values (1);
