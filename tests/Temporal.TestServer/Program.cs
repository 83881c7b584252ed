using OpenDesign.Workflows.Temporal.TestServer;

// An explicit entry class rather than top-level statements: the Web SDK makes a top-level Program public, which
// would clash with the service's own Program in test projects that reference both.
internal static class TestServerProgram
{
    public static async Task<int> Main(string[] args)
    {
        // `OpenDesign.Workflows.Temporal.TestServer server start-dev --port 7233 [--time-skipping]`
        // Serves until killed (the SDK's WorkflowEnvironment kills it on dispose) or Ctrl+C.
        var options = DevServerCommandLine.Parse(args);
        await using var server = await InProcessTemporalServer.StartAsync(options);
        await Console.Out.WriteLineAsync($"OpenDesign Temporal test server listening on {server.TargetHost} (time skipping {(options.TimeSkipping ? "on" : "off")})");
        // Not disposed: ProcessExit may still fire after Main returns.
        var stop = new CancellationTokenSource();
        // SIGTERM (what WorkflowEnvironment and process managers send) stops it at once, like Ctrl+C.
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            stop.Cancel();
        });
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }
}
