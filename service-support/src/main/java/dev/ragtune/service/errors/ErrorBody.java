package dev.ragtune.service.errors;

/** The one JSON shape of every error response. */
public record ErrorBody(String error, String message) {
}
