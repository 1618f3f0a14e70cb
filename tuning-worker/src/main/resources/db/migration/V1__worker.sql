-- tuning-worker, records half (issue 4). The jobs half adds V2__jobs.sql.

-- One row per stored revision of a training record.
--   seq          arrival sequence: a bigserial, so it grows with every stored revision; a job's snapshot
--                is "everything with seq <= snapshot_max_seq" (see dataset_snapshots).
--   record_id    the record's id (= Kafka key). A re-sent record with the same content is not stored again;
--                one with other content is stored as the next revision.
--   is_latest    exactly one row per record_id is the latest revision; only latest revisions train or count.
--   split_bucket 0..9999, from sha256(adapter || '\n' || id): eval when split_bucket < eval-fraction * 10000
--                (DatasetSplit); the eval split never trains.
--   source_*     where the revision was read from; unique, so a replayed Kafka message is never stored twice.
create table training_records (
    seq              bigserial   primary key,
    record_id        text        not null,
    revision         integer     not null check (revision >= 1),
    is_latest        boolean     not null,
    adapter          text        not null,
    content_hash     char(64)    not null,
    messages         jsonb       not null,
    metadata         jsonb       not null,
    schema_version   integer     not null,
    split_bucket     smallint    not null check (split_bucket between 0 and 9999),
    source_topic     text        not null,
    source_partition integer     not null,
    source_offset    bigint      not null,
    received_at      timestamptz not null default now(),
    constraint training_records_revision_uq unique (record_id, revision),
    constraint training_records_source_uq unique (source_topic, source_partition, source_offset)
);
create unique index training_records_one_latest on training_records (record_id) where is_latest;
create index training_records_latest_by_adapter on training_records (adapter, seq) where is_latest;

-- The data a training job took: the jobs half inserts one row when a job snapshots an adapter's records
-- (snapshot_max_seq = max(seq) it saw). GET /v1/datasets counts newSinceLastJob as the adapter's latest
-- revisions with seq > the snapshot_max_seq of its newest row here (id order).
create table dataset_snapshots (
    id               bigserial   primary key,
    adapter          text        not null,
    snapshot_max_seq bigint      not null,
    job_id           text,
    taken_at         timestamptz not null default now()
);
create index dataset_snapshots_by_adapter on dataset_snapshots (adapter, id);
