// Bench worker: a bare Node process, the zero of the cold-init measurement.
