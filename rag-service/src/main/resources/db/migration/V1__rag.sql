-- rag-service: documents and their chunks. The Lucene index is derived from these tables
-- (POST /v1/admin/reindex rebuilds it); embeddings are kept so that a rebuild need not re-run the model.

create table document (
    id            varchar(256) primary key,
    title         text,
    content_type  varchar(255) not null,
    source_name   text,
    content_hash  char(64)     not null,
    metadata      text         not null,          -- JSON object of strings
    text          text         not null,          -- normalised text; chunk offsets point into it
    chunk_count   integer      not null,
    revision      integer      not null,          -- 1 on first ingestion, +1 on each change
    created_by    varchar(255) not null,
    created_at    timestamptz  not null,
    updated_at    timestamptz  not null
);

create table chunk (
    id              varchar(300) primary key,      -- <document id>#<ordinal>
    document_id     varchar(256) not null references document (id) on delete cascade,
    ordinal         integer      not null,
    start_offset    integer      not null,
    end_offset      integer      not null,
    heading_path    text         not null,
    language        varchar(8)   not null,
    token_count     integer      not null,
    text            text         not null,
    embedding_model varchar(255) not null,
    embedding       bytea        not null,          -- float32 little-endian
    unique (document_id, ordinal)
);

create index chunk_document on chunk (document_id);
create index document_updated on document (updated_at, id);
