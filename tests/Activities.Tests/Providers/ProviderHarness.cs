using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenDesign.Workflows.Activities.Providers;
using OpenDesign.Workflows.Activities.Providers.OpenAi;
using OpenDesign.Workflows.Activities.Providers.Replicate;
using WireMock;
using WireMock.Server;

namespace OpenDesign.Workflows.Activities.Tests.Providers;

/// <summary>
/// The providers as the service registers them (<see cref="ProviderServices.AddMediaProviders"/>), with WireMock
/// playing OpenAI and Replicate under <c>/v1</c>, a temp media config directory, settings the test controls, a
/// fixed clock and every log line captured at Trace level.
/// </summary>
public sealed class ProviderHarness : IDisposable
{
    public const string OpenAiKey = "sk-test-0penai-SECRET-key-7Qx9";
    public const string ReplicateToken = "r8_test-replicate-SECRET-token-Zk42";

    private readonly ServiceProvider _services;

    /// <param name="settings">The service's settings (environment); OD_MEDIA_CONFIG_DIR defaults to <see cref="ConfigDir"/>.</param>
    /// <param name="storeKeys">Writes media-config.json with both keys and WireMock as both base URLs.</param>
    public ProviderHarness(Dictionary<string, string?>? settings = null, bool storeKeys = true)
    {
        Directory.CreateDirectory(ConfigDir);
        Settings = settings ?? [];
        Settings.TryAdd("OD_MEDIA_CONFIG_DIR", ConfigDir);
        if (storeKeys) WriteConfig(OpenAiKey, ReplicateToken);
        _services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace))
            .AddSingleton<TimeProvider>(Clock)
            .AddMediaProviders(key => Settings.GetValueOrDefault(key))
            .BuildServiceProvider();
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "od-provider-tests-" + Guid.NewGuid().ToString("N"));
    public string ConfigDir => Path.Combine(Root, "media-config");
    public Dictionary<string, string?> Settings { get; }
    public WireMockServer Server { get; } = WireMockServer.Start();
    public FixedClock Clock { get; } = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));
    public CapturedLogs Logs { get; } = new();

    public string BaseUrl => Server.Url + "/v1";
    public IMediaProviders Providers => _services.GetRequiredService<IMediaProviders>();
    public MediaCredentials Credentials => _services.GetRequiredService<MediaCredentials>();
    public OpenAiProvider OpenAi => _services.GetServices<IMediaProvider>().OfType<OpenAiProvider>().Single();
    public ReplicateProvider Replicate => _services.GetServices<IMediaProvider>().OfType<ReplicateProvider>().Single();

    public void WriteConfig(string? openAiKey, string? replicateToken, string? openAiBaseUrl = null) =>
        File.WriteAllText(Path.Combine(ConfigDir, "media-config.json"), new JsonObject
        {
            ["providers"] = new JsonObject
            {
                ["openai"] = new JsonObject { ["apiKey"] = openAiKey, ["baseUrl"] = openAiBaseUrl ?? BaseUrl },
                ["replicate"] = new JsonObject { ["apiKey"] = replicateToken, ["baseUrl"] = BaseUrl },
            },
        }.ToJsonString());

    public IReadOnlyList<IRequestMessage> Calls(string path) =>
        [.. Server.LogEntries.Select(e => e.RequestMessage).OfType<IRequestMessage>().Where(m => m.Path == path).OrderBy(m => m.DateTime)];

    public IReadOnlyList<IRequestMessage> AllCalls() =>
        [.. Server.LogEntries.Select(e => e.RequestMessage).OfType<IRequestMessage>()];

    public void Dispose()
    {
        Server.Stop();
        Server.Dispose();
        _services.Dispose();
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}

public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>Every log line written through the container's loggers, message and exception text.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {exception}");
    }
}
