-- Training jobs (tuning-worker issue 4, jobs half). One row per job; a job is retried in place
-- (attempt + 1) when its worker's lease expires.
CREATE TABLE jobs (
    id                uuid        PRIMARY KEY,
    adapter           text        NOT NULL,
    status            text        NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    phase             text        CHECK (phase IN ('SNAPSHOT', 'TRAIN', 'EVAL', 'PACKAGE', 'PUBLISH')),
    trigger           text        NOT NULL CHECK (trigger IN ('MANUAL', 'NEW_RECORDS', 'INTERVAL')),
    -- per-job overrides of the hyperparameters (camelCase TrainingOptions names) and "fromScratch"
    overrides         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    lease_owner       text,
    lease_expires_at  timestamptz,
    attempt           int         NOT NULL DEFAULT 0,
    cancel_requested  boolean     NOT NULL DEFAULT false,
    -- the records the job trains on: seq <= snapshot_max_seq; min = first seq not seen by an earlier job
    snapshot_min_seq  bigint,
    snapshot_max_seq  bigint,
    train_records     int,
    eval_records      int,
    eval_set          text,
    parent_version    int,
    progress          jsonb,      -- {step, totalSteps, loss, tokensPerSecond, etaSeconds}
    loss_curve        jsonb,      -- [{step, epoch, loss, lr}]
    metrics           jsonb,      -- the manifest's metrics (candidate, base, production)
    phase_seconds     jsonb,      -- {snapshot, train, eval, package, publish}
    registry_version  int,
    error             text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- At most one queued or running job per adapter, whichever replica created it.
CREATE UNIQUE INDEX jobs_one_active_per_adapter ON jobs (adapter) WHERE status IN ('QUEUED', 'RUNNING');
CREATE INDEX jobs_by_adapter ON jobs (adapter, created_at DESC);
CREATE INDEX jobs_claimable ON jobs (created_at) WHERE status IN ('QUEUED', 'RUNNING');

-- When a job takes its snapshot it also adds a row to the records half's dataset_snapshots (V1), in the
-- same transaction: GET /v1/datasets and the triggers count records after the newest such row.
