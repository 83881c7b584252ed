using System.Net;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OpenDesign.Workflows.Temporal.TestServer.Engine;
using OpenDesign.Workflows.Temporal.TestServer.Grpc;

namespace OpenDesign.Workflows.Temporal.TestServer;

// The test server as a library: StartAsync hosts Kestrel on a loopback port inside the calling
// process and returns once it serves; TargetHost is what TemporalClient.ConnectAsync needs.
// The same class backs the executable (Program), so both ways run identical code.
public sealed class InProcessTemporalServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TemporalEngine _engine;

    private InProcessTemporalServer(WebApplication app, TemporalEngine engine, string targetHost)
    {
        _app = app;
        _engine = engine;
        TargetHost = targetHost;
    }

    // "127.0.0.1:PORT", no scheme: the form TemporalClientConnectOptions.TargetHost takes.
    public string TargetHost { get; }

    public TestServerOptions Options => _engine.Options;

    // The server's current time (moves ahead of the wall clock when time is skipped).
    public DateTime UtcNow => _engine.Clock.UtcNow;

    // How far the clock has been skipped in total.
    public TimeSpan SkippedTime => _engine.Clock.SkippedSoFar;

    // Moves the server clock forward, firing timers and timeouts that fall due. Works whether or not
    // automatic time skipping is on; use it to make "an hour passes" happen while a test is not
    // awaiting a result (e.g. before sending a late signal).
    public void AdvanceTime(TimeSpan by) => _engine.AdvanceTime(by);

    public static async Task<InProcessTemporalServer> StartAsync(TestServerOptions? options = null, CancellationToken cancellation = default)
    {
        options ??= new TestServerOptions();
        var app = Build(options, []);
        await app.StartAsync(cancellation);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address);
        return new InProcessTemporalServer(app, app.Services.GetRequiredService<TemporalEngine>(), $"{uri.Host}:{uri.Port}");
    }

    internal static WebApplication Build(TestServerOptions options, string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The SDK speaks h2c with prior knowledge: HTTP/2 only, no TLS.
            kestrel.Listen(IPAddress.Parse(options.Ip), options.Port, listen => listen.Protocols = HttpProtocols.Http2);
            // One client connection carries every long poll and result wait; 100 streams (the
            // default) starves a busy test.
            kestrel.Limits.Http2.MaxStreamsPerConnection = 4096;
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = 128 * 1024 * 1024;
            grpc.MaxSendMessageSize = 128 * 1024 * 1024;
            grpc.EnableDetailedErrors = true;
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<TemporalEngine>();
        builder.Services.AddSingleton(sp => TemporalRoutes.Build(sp.GetRequiredService<TemporalEngine>()));
        builder.Services.AddSingleton<TemporalGrpcService>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<TemporalGrpcService>, TemporalServiceMethodProvider>());
        var app = builder.Build();
        app.MapGrpcService<TemporalGrpcService>();
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(stop.Token);
        }
        finally
        {
            await _app.DisposeAsync();
            _engine.Dispose();
        }
    }
}
