using Microsoft.Extensions.Options;
using OpenDesign.Workflows.Workflows;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Extensions.Hosting;
using Temporalio.Testing;
using Temporalio.Worker;

namespace OpenDesign.Workflows.Api.Temporal;

/// <summary>
/// Owns this process's connection to Temporal and, unless told otherwise, its worker. With an address it keeps
/// trying to connect until it can; without one it starts the SDK's local dev server. If neither works the service
/// still runs every other mode and reports Temporal as not ready.
/// </summary>
public sealed class TemporalRuntime(IOptions<TemporalOptions> options, IServiceProvider services, ILoggerFactory loggerFactory) : BackgroundService
{
    private readonly TemporalOptions _options = options.Value;
    private readonly ILogger _logger = loggerFactory.CreateLogger<TemporalRuntime>();
    private volatile ITemporalClient? _client;
    private WorkflowEnvironment? _devServer;

    public ITemporalClient? Client => _client;

    public TemporalOptions Options => _options;

    /// <summary>Whether the namespace has the product's custom search attributes (workflows upsert them only then).</summary>
    public bool HasSearchAttributes { get; private set; }

    /// <summary>Why Temporal is not ready, for the readiness endpoint; null once connected.</summary>
    public string? Problem { get; private set; } = "connecting";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var client = await ConnectAsync(stoppingToken);
            if (client is null) return;
            HasSearchAttributes = await CheckSearchAttributesAsync(client, stoppingToken);
            _client = client;
            Problem = null;
            var target = client.Connection.Options.TargetHost;
            _logger.LogInformation("Temporal ready at {Target} (namespace {Namespace}, task queue {TaskQueue})", target, _options.Namespace, _options.TaskQueue);
            if (!_options.RunsWorker) return;

            var workerOptions = new TemporalWorkerOptions(_options.TaskQueue) { LoggerFactory = loggerFactory };
            workerOptions.AddWorkflow<ExternalMediaRequestWorkflow>();
            workerOptions.AddWorkflow<MediaTaskWorkflow>();
            foreach (var activity in services.CreateTemporalActivityDefinitions<IMediaRequestActivities>()
                .Concat(services.CreateTemporalActivityDefinitions<IMediaTaskActivities>()))
            {
                workerOptions.AddActivity(activity);
            }
            using var worker = new TemporalWorker(client, workerOptions);
            await worker.ExecuteAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Problem = $"the Temporal worker stopped: {e.Message}";
            _logger.LogError(e, "The Temporal worker stopped; external media requests will not progress");
        }
    }

    /// <summary>Asks the frontend whether it answers now, so readiness reflects a server that went away after start.</summary>
    public async Task<string?> CheckAsync(CancellationToken ct)
    {
        if (_client is not { } client) return Problem;
        try
        {
            await client.Connection.WorkflowService.GetSystemInfoAsync(new(), new RpcOptions { Timeout = TimeSpan.FromSeconds(2), CancellationToken = ct });
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return $"Temporal at {client.Connection.Options.TargetHost} does not answer: {e.Message}";
        }
    }

    private async Task<ITemporalClient?> ConnectAsync(CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(_options.Address))
        {
            var delay = TimeSpan.FromSeconds(1);
            while (true)
            {
                try
                {
                    return await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(_options.Address)
                    {
                        Namespace = _options.Namespace,
                        LoggerFactory = loggerFactory,
                    });
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Problem = $"cannot reach Temporal at {_options.Address}: {e.Message}";
                    _logger.LogWarning("Cannot reach Temporal at {Address} ({Reason}); retrying in {Delay}", _options.Address, e.Message, delay);
                    await Task.Delay(delay, ct);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                }
            }
        }
        if (!_options.Embedded)
        {
            Problem = "no Temporal:Address is configured and the embedded dev server is turned off";
            return null;
        }
        var cli = _options.CliPath ?? FindOnPath("temporal");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _devServer = await WorkflowEnvironment.StartLocalAsync(new WorkflowEnvironmentStartLocalOptions
                {
                    Namespace = _options.Namespace,
                    SearchAttributes = OdSearchAttributes.All,
                    LoggerFactory = loggerFactory,
                    DevServerOptions = new DevServerOptions { ExistingPath = cli },
                });
                return _devServer.Client;
            }
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("did not start within", StringComparison.Ordinal))
            {
                // The SDK allows a launched server 5 s; a cold start on a busy machine can miss that. Try again.
                _logger.LogInformation("The local dev server missed the SDK's start-up window; trying again");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Problem = $"no Temporal:Address is configured and the local dev server could not be started: {e.Message}";
                _logger.LogWarning("Temporal is not available ({Reason}); external media mode is refused until it is", Problem);
                return null;
            }
        }
    }

    private async Task<bool> CheckSearchAttributesAsync(ITemporalClient client, CancellationToken ct)
    {
        try
        {
            var response = await client.Connection.OperatorService.ListSearchAttributesAsync(
                new ListSearchAttributesRequest { Namespace = _options.Namespace }, new() { CancellationToken = ct });
            var missing = OdSearchAttributes.All.Where(a => !response.CustomAttributes.ContainsKey(a.Name)).Select(a => a.Name).ToList();
            if (missing.Count == 0) return true;
            _logger.LogWarning("Namespace {Namespace} lacks search attributes {Missing}; workflows run without them", _options.Namespace, string.Join(", ", missing));
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning("Could not list search attributes ({Reason}); workflows run without them", e.Message);
            return false;
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_devServer is not null) await _devServer.ShutdownAsync();
    }
}
