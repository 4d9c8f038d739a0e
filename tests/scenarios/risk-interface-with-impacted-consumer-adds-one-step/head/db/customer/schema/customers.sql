alter table customers add column tier text;
