using Temporalio.Api.Enums.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Testing;
using OpenDesign.Workflows.Temporal.TestServer;

namespace OpenDesign.Workflows.Temporal.Testing;

// One connected Temporal for a set of workflow tests. StartAsync picks, in this order:
//   1. TEMPORAL_TEST_ADDRESS or TEMPORAL_TEST_CLIENT_TARGET_HOST set -> that server (External);
//   2. a `temporal` binary on PATH -> the SDK's local dev server (LocalDevServer);
//   3. otherwise the in-memory test server inside this process (InProcess).
// Tests only use Client, Namespace, NewTaskQueue/NewWorkflowId and DelayAsync, so the same test
// runs unchanged on all three; isolation comes from unique task queues and workflow ids, not from
// a fresh server per test (a real server is shared).
public sealed class TemporalTestEnvironment : IAsyncDisposable
{
    public const string AddressVariable = "TEMPORAL_TEST_ADDRESS";
    public const string SdkAddressVariable = "TEMPORAL_TEST_CLIENT_TARGET_HOST";
    public const string NamespaceVariable = "TEMPORAL_TEST_NAMESPACE";

    // The product's search attributes: registered everywhere this environment runs.
    public static readonly IReadOnlyList<SearchAttributeKey> ProductSearchAttributes =
    [
        SearchAttributeKey.CreateKeyword("OdRunId"),
        SearchAttributeKey.CreateKeyword("OdProjectId"),
        SearchAttributeKey.CreateKeyword("OdSurface"),
        SearchAttributeKey.CreateKeyword("OdMediaRequestStatus"),
    ];

    private readonly IAsyncDisposable? _owned;

    private TemporalTestEnvironment(TemporalTestServerKind kind, ITemporalClient client, string targetHost, InProcessTemporalServer? server, IAsyncDisposable? owned)
    {
        Kind = kind;
        Client = client;
        TargetHost = targetHost;
        Server = server;
        _owned = owned;
    }

    public TemporalTestServerKind Kind { get; }

    // Connected to Namespace; give it to TemporalWorker and use it to start workflows.
    public ITemporalClient Client { get; }

    public string Namespace => Client.Options.Namespace;

    // host:port of the server, e.g. for a second client or for the product's Temporal:Address.
    public string TargetHost { get; }

    // The in-process server when Kind is InProcess (to advance its clock), otherwise null.
    public InProcessTemporalServer? Server { get; }

    public bool SupportsTimeSkipping => Server?.Options.TimeSkipping == true;

    public static async Task<TemporalTestEnvironment> StartAsync(TemporalTestEnvironmentOptions? options = null)
    {
        options ??= new TemporalTestEnvironmentOptions();
        var attributes = ProductSearchAttributes.Concat(options.SearchAttributes).DistinctBy(a => a.Name).ToList();
        var kind = options.Kind ?? ChooseKind();
        switch (kind)
        {
            case TemporalTestServerKind.External:
            {
                var address = Environment.GetEnvironmentVariable(AddressVariable)
                    ?? Environment.GetEnvironmentVariable(SdkAddressVariable)
                    ?? throw new InvalidOperationException($"{AddressVariable} is not set");
                var ns = Environment.GetEnvironmentVariable(NamespaceVariable) ?? options.Namespace;
                var client = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(address) { Namespace = ns });
                await RegisterSearchAttributesAsync(client, attributes);
                return new TemporalTestEnvironment(kind, client, address, null, null);
            }
            case TemporalTestServerKind.LocalDevServer:
            case TemporalTestServerKind.TestServerProcess:
            {
                var path = kind == TemporalTestServerKind.LocalDevServer
                    ? FindOnPath("temporal") ?? throw new InvalidOperationException("no temporal binary on PATH")
                    : TestServerExecutable.Locate();
                var env = await TestServerExecutable.StartThroughSdkAsync(new WorkflowEnvironmentStartLocalOptions
                {
                    Namespace = options.Namespace,
                    SearchAttributes = attributes,
                    DevServerOptions = new() { ExistingPath = path },
                });
                return new TemporalTestEnvironment(kind, env.Client, env.Client.Connection.Options.TargetHost ?? "", null, env);
            }
            default:
            {
                var serverOptions = new OpenDesign.Workflows.Temporal.TestServer.TestServerOptions { TimeSkipping = options.TimeSkipping };
                serverOptions.Namespaces.Add(options.Namespace);
                foreach (var attribute in attributes)
                {
                    serverOptions.SearchAttributes[attribute.Name] = (IndexedValueType)attribute.ValueType;
                }
                var server = await InProcessTemporalServer.StartAsync(serverOptions);
                var client = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(server.TargetHost) { Namespace = options.Namespace });
                return new TemporalTestEnvironment(kind, client, server.TargetHost, server, server);
            }
        }
    }

    private static TemporalTestServerKind ChooseKind()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(AddressVariable))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SdkAddressVariable)))
        {
            return TemporalTestServerKind.External;
        }
        return FindOnPath("temporal") is not null ? TemporalTestServerKind.LocalDevServer : TemporalTestServerKind.InProcess;
    }

    // A real server rejects workflows that set unregistered search attributes; registering is
    // idempotent enough for tests (AlreadyExists is fine).
    private static async Task RegisterSearchAttributesAsync(ITemporalClient client, IEnumerable<SearchAttributeKey> attributes)
    {
        var request = new AddSearchAttributesRequest { Namespace = client.Options.Namespace };
        foreach (var attribute in attributes)
        {
            request.SearchAttributes[attribute.Name] = (IndexedValueType)attribute.ValueType;
        }
        try
        {
            await client.Connection.OperatorService.AddSearchAttributesAsync(request);
        }
        catch (Temporalio.Exceptions.RpcException e) when (e.Code == Temporalio.Exceptions.RpcException.StatusCode.AlreadyExists)
        {
        }
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    // Unique per call, so tests sharing one server never steal each other's tasks.
    public static string NewTaskQueue(string prefix = "tq") => $"{prefix}-{Guid.NewGuid():N}";

    public static string NewWorkflowId(string prefix = "wf") => $"{prefix}-{Guid.NewGuid():N}";

    // Lets `duration` pass for the workflows: skips the server clock when time skipping is on,
    // otherwise really waits (so the same test still works against a real server, only slower).
    public async Task DelayAsync(TimeSpan duration)
    {
        if (Server is { } server && SupportsTimeSkipping)
        {
            server.AdvanceTime(duration);
            return;
        }
        await Task.Delay(duration);
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync();
        }
    }
}
