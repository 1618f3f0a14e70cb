package dev.ragtune.tuning.records;

/** The database failed while storing a batch; the transaction rolled back and the batch is retried. */
public class RecordStoreException extends RuntimeException {
    public RecordStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
