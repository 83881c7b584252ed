using OpenDesign.Workflows.Temporal.TestServer;

// `OpenDesign.Workflows.Temporal.TestServer server start-dev --port 7233 [--time-skipping]`
// Serves until killed (the SDK's WorkflowEnvironment kills it on dispose) or Ctrl+C.
var options = DevServerCommandLine.Parse(args);
await using var server = await InProcessTemporalServer.StartAsync(options);
await Console.Out.WriteLineAsync($"OpenDesign Temporal test server listening on {server.TargetHost} (time skipping {(options.TimeSkipping ? "on" : "off")})");
using var stop = new CancellationTokenSource();
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
