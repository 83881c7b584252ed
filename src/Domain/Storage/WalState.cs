namespace OpenDesign.Workflows.Domain.Storage;

/// <summary>A checkpoint's answer: frames in the write-ahead log, and how many of them are in the database file.</summary>
internal readonly record struct WalState(long LogFrames, long Checkpointed);
