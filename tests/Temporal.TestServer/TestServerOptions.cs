using Temporalio.Api.Enums.V1;

namespace OpenDesign.Workflows.Temporal.TestServer;

// Settings of one test server instance. Defaults suit tests: a "default" namespace, real time, and
// long polls that answer empty after a few seconds (core's own poll deadline is 70 s).
public sealed class TestServerOptions
{
    public List<string> Namespaces { get; } = ["default"];

    // Custom search attributes in addition to the product's (OdRunId, OdProjectId, OdSurface,
    // OdMediaRequestStatus), e.g. from `--search-attribute Name=Keyword`.
    public Dictionary<string, IndexedValueType> SearchAttributes { get; } = new(StringComparer.Ordinal);

    // When on, the clock jumps to the next timer/timeout whenever no workflow task, activity or
    // query is pending and at least one client is waiting for a workflow result (the same rule as
    // the SDK's time-skipping test server: time moves only while you await an outcome, so a test
    // can still signal a waiting workflow before its deadline).
    public bool TimeSkipping { get; set; }

    public TimeSpan LongPollTimeout { get; set; } = TimeSpan.FromSeconds(5);

    // Default start-to-close timeout of a workflow task when the starter gives none (Temporal's is 10 s).
    public TimeSpan DefaultWorkflowTaskTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public string Ip { get; set; } = "127.0.0.1";

    // 0 picks a free port.
    public int Port { get; set; }
}
