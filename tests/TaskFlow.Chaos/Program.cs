using TaskFlow;
using TaskFlow.Chaos;
using TaskFlow.Hosting;

// The chaos run's host. scripts/chaos.sh starts it as:
//   silo                  a standalone silo (like src/Silo) with the chaos tasks and schedules
//   api                   a Client-mode API node (like src/Api) registering the same tasks
//   drive load ...        enqueues chaos_probe tasks through POST /tasks at a steady rate
//   drive report ...      waits for every accepted task to end, reads the evidence and prints the figures
var mode = args.Length > 0 ? args[0] : "";
var rest = args.Skip(1).ToArray();
switch (mode)
{
    case "silo":
        return await RunSiloAsync(rest);
    case "api":
        return await RunApiAsync(rest);
    case "drive" when rest.Length > 0 && rest[0] == "load":
        return await Load.RunAsync(Arguments.Parse(rest.Skip(1)));
    case "drive" when rest.Length > 0 && rest[0] == "report":
        return await Report.RunAsync(Arguments.Parse(rest.Skip(1)));
    default:
        Console.Error.WriteLine("Usage: TaskFlow.Chaos silo | api | drive load --api URL --count N --seconds S --out FILE | drive report --dir RUN_DIR ...");
        return 2;
}

static async Task<int> RunSiloAsync(string[] args)
{
    var builder = Host.CreateApplicationBuilder(args);
    builder.UseOrleans(silo => silo.UseTaskFlow(builder.Configuration, tf => ChaosTasks.Register(tf.AddPostgreSqlStorage())));
    await builder.Build().RunAsync();
    return 0;
}

static async Task<int> RunApiAsync(string[] args)
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddTaskFlow(tf => ChaosTasks.Register(tf.AddPostgreSqlStorage()));
    var app = builder.Build();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.MapTaskFlowHealth();
    app.MapTaskFlow("/tasks");
    await app.RunAsync();
    return 0;
}

/// <summary>"--name value" pairs.</summary>
internal sealed class Arguments(Dictionary<string, string> values)
{
    public static Arguments Parse(IEnumerable<string> args)
    {
        var list = args.ToList();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{list[i]}'");
            values[list[i][2..]] = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal) ? list[++i] : "true";
        }
        return new Arguments(values);
    }

    public string this[string name] => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");

    public string? Optional(string name) => values.GetValueOrDefault(name);

    public int Int(string name) => int.Parse(this[name], System.Globalization.CultureInfo.InvariantCulture);

    public double Double(string name) => double.Parse(this[name], System.Globalization.CultureInfo.InvariantCulture);
}
