using Temporalio.Common;

namespace OpenDesign.Workflows.Temporal.Testing;

// How a test wants its environment. Everything has a default, so `new()` is the common case.
public sealed class TemporalTestEnvironmentOptions
{
    // Namespace to use. The in-process server always has "default"; a real server must already
    // have this one (TEMPORAL_TEST_NAMESPACE overrides it there).
    public string Namespace { get; set; } = "default";

    // Ask for automatic time skipping (see TestServerOptions.TimeSkipping). Only the in-process
    // server can do it; check TemporalTestEnvironment.SupportsTimeSkipping before relying on it.
    public bool TimeSkipping { get; set; }

    // Extra search attributes to register, beyond the product's OdRunId, OdProjectId, OdSurface and
    // OdMediaRequestStatus (which are always registered).
    public List<SearchAttributeKey> SearchAttributes { get; } = [];

    // Force a kind instead of choosing from the environment (null = choose).
    public TemporalTestServerKind? Kind { get; set; }
}

public enum TemporalTestServerKind
{
    // The in-memory test server hosted in the test process (the default here).
    InProcess,
    // An already running Temporal reached through TEMPORAL_TEST_ADDRESS / TEMPORAL_TEST_CLIENT_TARGET_HOST.
    External,
    // The SDK's local dev server, started from a `temporal` binary found on PATH.
    LocalDevServer,
    // The test server executable launched by the SDK's own dev-server code path
    // (WorkflowEnvironment.StartLocalAsync with ExistingPath).
    TestServerProcess,
}
