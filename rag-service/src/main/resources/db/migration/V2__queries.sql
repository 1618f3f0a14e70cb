-- rag-service, answers and feedback: every answer is remembered so that feedback can become a training record
CREATE TABLE rag_queries (
    id                UUID PRIMARY KEY,
    endpoint          TEXT        NOT NULL,             -- query | chat
    question          TEXT        NOT NULL,             -- the user's question (last user message)
    system_prompt     TEXT,                             -- the conversation's own system message, if any
    answer            TEXT        NOT NULL,
    adapter           TEXT,                             -- null: the base model answered
    adapter_version   INTEGER,
    adapter_alias     TEXT,
    sources           JSONB       NOT NULL DEFAULT '[]',
    prompt_tokens     INTEGER     NOT NULL,
    completion_tokens INTEGER     NOT NULL,
    finish_reason     TEXT        NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX rag_queries_created_at ON rag_queries (created_at);

CREATE TABLE rag_feedback (
    id                 UUID PRIMARY KEY,
    query_id           UUID        NOT NULL REFERENCES rag_queries (id),
    rating             TEXT        NOT NULL CHECK (rating IN ('up', 'down')),
    correction         TEXT,
    training_record_id TEXT,                            -- null: no record was produced (down without correction)
    training_adapter   TEXT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX rag_feedback_query_id ON rag_feedback (query_id);
