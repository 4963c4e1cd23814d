-- Every deployment starts with one admin user; tokens created by the admin API belong to it unless told otherwise.
INSERT INTO `users` (`id`, `name`, `role`, `group`) VALUES (1, 'admin', 'admin', 'default');
