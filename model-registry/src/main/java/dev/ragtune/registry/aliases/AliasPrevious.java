package dev.ragtune.registry.aliases;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One entry of an alias's rollback stack: a version the alias pointed at before a change. */
@Entity
@Table(name = "alias_previous")
public class AliasPrevious {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "adapter_id", nullable = false)
    public Long adapterId;

    @Column(nullable = false)
    public String alias;

    @Column(nullable = false)
    public int version;
}
