using System.CommandLine;
using System.Text;
using System.Text.Json;
using OpenDesign.Workflows.Cli.Http;
using OpenDesign.Workflows.Cli.Output;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary><c>od runs create|get|list|finish|cancel|events</c>: an operator's view of runs and their media policy.</summary>
internal static class RunCommands
{
    public const string Name = "runs";
    public const string Description = "Create runs with a media policy, inspect, end and follow them";

    public static void Populate(Command group) => group.With(Create(), Get(), List(), Finish(), Cancel(), RunEventsCommand.Create());

    private static Command Create()
    {
        var project = new Option<string>("--project") { Description = "Project the run works in", HelpName = "id", Required = true };
        var agent = new Option<string>("--agent") { Description = "Agent id; a configured agent (GET /api/agents) is started by the service", HelpName = "id" };
        var noLaunch = new Option<bool>("--no-launch") { Description = "Do not start the agent, even if it is configured: the caller runs its own with the token" };
        var follow = new Option<bool>("--follow", "-f")
        {
            Description = "Print the run's events until it ends, then exit with its outcome: 0 succeeded, 6 failed, 7 cancelled",
        };
        var message = new Option<string>("--message") { Description = "The user's message for the run", HelpName = "text" };
        var conversation = new Option<string>("--conversation") { Description = "Conversation id", HelpName = "id" };
        var policy = new MediaPolicyInput();

        var command = new Command("create", "Create a run and print its one-time tool token")
            .With(project, agent, message, conversation, noLaunch, follow)
            .With([.. policy.Options]);
        return command.WithHandler(async (context, cancellationToken) =>
        {
            var request = new CreateRunRequest(context.Get(project)!, context.Get(agent), context.Get(message), context.Get(conversation),
                Launch: context.Get(noLaunch) ? false : null);
            var body = JsonSerializer.SerializeToNode(request, OdJsonContext.Default.CreateRunRequest)!.AsObject();
            if (policy.Read(context) is { } mediaExecution)
            {
                body["mediaExecution"] = mediaExecution;
            }

            var content = ServiceClient.JsonBody(Encoding.UTF8.GetBytes(body.ToJsonString()));
            var result = await context.Service.PostAsync(ApiRoutes.Runs.Collection, content, OdJsonContext.Default.RunCreated, cancellationToken);
            context.Print(result, PrintCreated);
            return context.Get(follow) ? await FollowAsync(context, result.Value.RunId, cancellationToken) : ExitCodes.Ok;
        });
    }

    /// <summary>Streams the run's events to its end, then answers with the run's outcome as the exit code.</summary>
    private static async Task<int> FollowAsync(CommandContext context, string runId, CancellationToken cancellationToken)
    {
        await RunEventsCommand.StreamAsync(context, runId, follow: true, after: null, cancellationToken);
        var run = (await context.Service.GetAsync(ApiRoutes.Runs.ItemPath(runId), OdJsonContext.Default.Run, cancellationToken)).Value;
        var agent = run.Agent is { } a ? $" (agent {a.AgentId}: {(a.ExitCode is { } code ? $"exit {code}" : a.State)}{(a.Reason is { } why ? $", {why}" : "")})" : "";
        switch (run.Status)
        {
            case RunStatuses.Succeeded:
                return ExitCodes.Ok;
            case RunStatuses.Canceled:
                context.Note($"run {runId} was cancelled{agent}");
                return ExitCodes.RunCanceled;
            default:
                context.Note($"run {runId} ended {run.Status}{agent}");
                return ExitCodes.RunFailed;
        }
    }

    private static void PrintCreated(TextWriter writer, RunCreated run)
    {
        writer.WriteLine($"run {run.RunId} created: {run.Status}");
        new Fields()
            .Add("project", run.ProjectId)
            .Add("media", Format.Policy(run.MediaExecution))
            .Add("tool token", run.ToolToken)
            .Add("expires", Format.Time(run.ToolTokenExpiresAt))
            .WriteTo(writer);
        if (run.Agent is { } agent)
        {
            writer.WriteLine($"The service starts agent {agent.AgentId} with the tool token; follow it with: od runs events {run.RunId} --follow");
        }
        else
        {
            writer.WriteLine("The tool token is shown only now: give it to the run's agent process as OD_TOOL_TOKEN.");
        }
    }

    private static Command Get()
    {
        var id = CommandHandlers.IdArgument("id", "Run id");
        return new Command("get", "Show a run and its effective media policy").With(id).WithHandler(async (context, cancellationToken) =>
        {
            var result = await context.Service.GetAsync(ApiRoutes.Runs.ItemPath(context.Get(id)), OdJsonContext.Default.Run, cancellationToken);
            context.Print(result, (w, r) => Views.Run(w, r, $"run {r.Id}: {r.Status}"));
            return ExitCodes.Ok;
        });
    }

    private static Command List()
    {
        var project = new Option<string>("--project") { Description = "Only runs of this project", HelpName = "id" };
        var status = new Option<string>("--status") { Description = "Only runs in this status; 'active' means not ended", HelpName = "status" };
        return new Command("list", "List runs").With(project, status).WithHandler(async (context, cancellationToken) =>
        {
            var path = ApiRoutes.Runs.Collection + QueryString.Of(("projectId", context.Get(project)), ("status", context.Get(status)));
            var result = await context.Service.GetAsync(path, OdJsonContext.Default.RunList, cancellationToken);
            context.Print(result, (w, list) => Views.Runs(w, list.Runs));
            return ExitCodes.Ok;
        });
    }

    private static Command Finish()
    {
        var id = CommandHandlers.IdArgument("id", "Run id");
        var status = new Option<string>("--status") { Description = "How the run ended", Required = true }
            .AcceptingOnly([RunStatuses.Succeeded, RunStatuses.Failed]);
        return new Command("finish", "End a run; its tool token is revoked and its open media requests are cancelled")
            .With(id, status)
            .WithHandler(async (context, cancellationToken) =>
            {
                var body = ServiceClient.JsonBody(new FinishRunRequest(context.Get(status)!), OdJsonContext.Default.FinishRunRequest);
                var result = await context.Service.PostAsync(ApiRoutes.Runs.FinishPath(context.Get(id)), body, OdJsonContext.Default.Run, cancellationToken);
                context.Print(result, (w, r) => Views.Run(w, r, $"run {r.Id} finished: {r.Status}"));
                return ExitCodes.Ok;
            });
    }

    private static Command Cancel()
    {
        var id = CommandHandlers.IdArgument("id", "Run id");
        return new Command("cancel", "Cancel a run; its tool token is revoked and its open media requests are cancelled")
            .With(id)
            .WithHandler(async (context, cancellationToken) =>
            {
                var result = await context.Service.PostAsync(ApiRoutes.Runs.CancelPath(context.Get(id)), content: null, OdJsonContext.Default.Run, cancellationToken);
                context.Print(result, (w, r) => Views.Run(w, r, $"run {r.Id} cancelled: {r.Status}"));
                return ExitCodes.Ok;
            });
    }
}
