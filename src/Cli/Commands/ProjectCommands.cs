using System.CommandLine;
using OpenDesign.Workflows.Cli.Http;
using OpenDesign.Workflows.Cli.Output;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary><c>od projects create|get</c>: the first thing a newcomer needs before creating a run.</summary>
internal static class ProjectCommands
{
    public const string Name = "projects";
    public const string Description = "Create and inspect projects (the folder a run's media lands in)";

    public static void Populate(Command group) => group.With(Create(), Get());

    private static Command Create()
    {
        var name = new Option<string>("--name") { Description = "Display name of the project" };
        return new Command("create", "Create a project").With(name).WithHandler(async (context, cancellationToken) =>
        {
            var body = ServiceClient.JsonBody(new CreateProjectRequest(context.Get(name)), OdJsonContext.Default.CreateProjectRequest);
            var result = await context.Service.PostAsync(ApiRoutes.Projects.Collection, body, OdJsonContext.Default.Project, cancellationToken);
            context.Print(result, (w, p) => Views.Project(w, p, $"project {p.Id} created"));
            return ExitCodes.Ok;
        });
    }

    private static Command Get()
    {
        var id = CommandHandlers.IdArgument("id", "Project id");
        return new Command("get", "Show a project").With(id).WithHandler(async (context, cancellationToken) =>
        {
            var result = await context.Service.GetAsync(ApiRoutes.Projects.ItemPath(context.Get(id)), OdJsonContext.Default.Project, cancellationToken);
            context.Print(result, (w, p) => Views.Project(w, p, $"project {p.Id}"));
            return ExitCodes.Ok;
        });
    }
}
