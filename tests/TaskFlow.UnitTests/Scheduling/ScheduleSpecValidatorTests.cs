using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;

namespace TaskFlow.UnitTests.Scheduling;

/// <summary>What a runtime schedule may be: each fault names the field the HTTP body spells.</summary>
public sealed class ScheduleSpecValidatorTests
{
    public sealed record Mail([property: EmailAddress] string Address);

    public sealed class SendMail : ITaskHandler<Mail>
    {
        public Task RunAsync(Mail args, TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static readonly TaskRegistry Registry = new TaskFlowBuilder(new ServiceCollection()).AddTask<SendMail>("mail").Registry;

    private static ScheduleSpec Spec(string args = """{"address":"a@b.c"}""", double? every = 60, string? cron = null, string? zone = null,
        string name = "nightly", string task = "mail", MisfirePolicy misfire = MisfirePolicy.FireOnce) =>
        new() { Name = name, Task = task, ArgsJson = args, EverySeconds = every, Cron = cron, TimeZone = zone, Misfire = misfire };

    public static TheoryData<ScheduleSpec, string> Faults => new()
    {
        { Spec(name: ""), "name" },
        { Spec(name: "has space"), "name" },
        { Spec(name: new string('n', 201)), "name" },
        { Spec(task: "nope"), "task" },
        { Spec(every: null), "every" },
        { Spec(every: 0.5), "every" },
        { Spec(every: 366 * 86400 + 1), "every" },
        { Spec(every: double.NaN), "every" },
        { Spec(every: 60, zone: "UTC"), "timeZone" },
        { Spec(every: 60, cron: "* * * * *"), "cron" },
        { Spec(every: null, cron: "61 * * * *"), "cron" },
        { Spec(every: null, cron: "* * *"), "cron" },
        { Spec(every: null, cron: "0 9 * * *", zone: "Mars/Olympus_Mons"), "timeZone" },
        { Spec(misfire: (MisfirePolicy)7), "misfire" },
        { Spec(args: "{}"), "args.address" },
        { Spec(args: """{"address":"nope"}"""), "args.address" },
        { Spec(args: "{not json"), "args" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void A_fault_names_its_field(ScheduleSpec spec, string field)
    {
        var fault = Assert.Throws<TaskValidationException>(() => ScheduleSpecValidator.Validate(spec, Registry));

        Assert.Equal(field, fault.Field);
    }

    [Fact]
    public void A_valid_cron_spec_becomes_a_runtime_definition_firing_its_task_in_its_zone()
    {
        var definition = ScheduleSpecValidator.Validate(Spec(every: null, cron: "0 9 * * 1-5", zone: "Europe/Paris"), Registry);

        Assert.Equal(("nightly", "mail", true), (definition.Name, definition.Task, definition.IsRuntime));
        Assert.Equal("Europe/Paris", definition.TimeZone.Id);
        // Monday 2 March 2026, 09:00 in Paris (CET) = 08:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero), definition.NextAfter(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void An_interval_spec_without_args_has_an_empty_object_and_fires_in_utc()
    {
        var definition = ScheduleSpecValidator.Build(Spec(args: "", every: 30));

        Assert.Equal(("{}", TimeSpan.FromSeconds(30), TimeZoneInfo.Utc), (definition.ArgsJson, definition.Every, definition.TimeZone));
    }

    [Fact]
    public void A_stored_spec_is_rebuilt_without_the_registry_which_may_have_changed()
    {
        var definition = ScheduleSpecValidator.Build(Spec(task: "removed_since"));

        Assert.Equal("removed_since", definition.Task);
    }
}
